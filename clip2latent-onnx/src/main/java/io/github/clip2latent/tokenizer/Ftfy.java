package io.github.clip2latent.tokenizer;

import io.github.clip2latent.tokenizer.FtfyTables.Charmap;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A port of {@code ftfy.fix_text} of ftfy 6.1.1 (MIT licence, Robyn Speer) with its default
 * configuration, the first step of CLIP's {@code basic_clean}. Each method names the ftfy function
 * it implements; the data ftfy builds at import time comes from {@link FtfyTables}.
 *
 * <p>Known differences, all about characters or lengths that do not occur in prompts: lengths are
 * counted in UTF-16 units, not code points, where ftfy compares a match with the whole text; the
 * JDK's Unicode tables (NFC, NFKC, {@code \s}, {@code \w}) may be a different Unicode version from
 * Python's.
 */
final class Ftfy {

    /** {@code TextFixerConfig.max_decode_length}. */
    private static final int MAX_DECODE_LENGTH = 1_000_000;

    /** The longest match of {@code BADNESS_RE}: {@code ГўВЂВ.[A-Za-z ]}. */
    private static final int MAX_BADNESS_MATCH = 7;

    private static final Pattern HTML_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    /** {@code ftfy.fixes.ANSI_RE}; Python's {@code \d} is any decimal digit. */
    private static final Pattern ANSI = Pattern.compile("\u001b\\[((?:\\p{Nd}|;)*)([a-zA-Z])");

    // The byte patterns below run on bytes held as ISO-8859-1 strings (one char per byte).

    /** {@code ftfy.chardata.ALTERED_UTF8_RE}. */
    private static final Pattern ALTERED_UTF8 =
            Pattern.compile(
                    "[\\xc2\\xc3\\xc5\\xce\\xd0\\xd9][ ]"
                            + "|[\\xe2\\xe3][ ][\\x80-\\x84\\x86-\\x9f\\xa1-\\xbf]"
                            + "|[\\xe0-\\xe3][\\x80-\\x84\\x86-\\x9f\\xa1-\\xbf][ ]"
                            + "|[\\xf0][ ][\\x80-\\xbf][\\x80-\\xbf]"
                            + "|[\\xf0][\\x80-\\xbf][ ][\\x80-\\xbf]"
                            + "|[\\xf0][\\x80-\\xbf][\\x80-\\xbf][ ]");

    /** {@code ftfy.fixes.A_GRAVE_WORD_RE}. */
    private static final Pattern A_GRAVE_WORD =
            Pattern.compile("\\xc3 (?! |quele|quela|quilo|s )");

    /** {@code ftfy.chardata.LOSSY_UTF8_RE}. */
    private static final Pattern LOSSY_UTF8 =
            Pattern.compile(
                    "[\\xc2-\\xdf][\\x1a]"
                            + "|[\\xc2-\\xc3][?]"
                            + "|\\xed[\\xa0-\\xaf][\\x1a?]\\xed[\\xb0-\\xbf][\\x1a?\\x80-\\xbf]"
                            + "|\\xed[\\xa0-\\xaf][\\x1a?\\x80-\\xbf]\\xed[\\xb0-\\xbf][\\x1a?]"
                            + "|[\\xe0-\\xef][\\x1a?][\\x1a\\x80-\\xbf]"
                            + "|[\\xe0-\\xef][\\x1a\\x80-\\xbf][\\x1a?]"
                            + "|[\\xf0-\\xf4][\\x1a?][\\x1a\\x80-\\xbf][\\x1a\\x80-\\xbf]"
                            + "|[\\xf0-\\xf4][\\x1a\\x80-\\xbf][\\x1a?][\\x1a\\x80-\\xbf]"
                            + "|[\\xf0-\\xf4][\\x1a\\x80-\\xbf][\\x1a\\x80-\\xbf][\\x1a?]"
                            + "|\\x1a");

    /** U+FFFD's UTF-8 bytes as an ISO-8859-1 string. */
    private static final String REPLACEMENT_BYTES = "\u00ef\u00bf\u00bd";

    /** {@code ftfy.chardata.LIGATURES}. */
    private static final Map<Character, String> LIGATURES =
            Map.ofEntries(
                    Map.entry('\u0132', "IJ"),
                    Map.entry('\u0133', "ij"),
                    Map.entry('\u0149', "\u02bcn"),
                    Map.entry('\u01f1', "DZ"),
                    Map.entry('\u01f2', "Dz"),
                    Map.entry('\u01f3', "dz"),
                    Map.entry('\u01c4', "D\u017d"),
                    Map.entry('\u01c5', "D\u017e"),
                    Map.entry('\u01c6', "d\u017e"),
                    Map.entry('\u01c7', "LJ"),
                    Map.entry('\u01c8', "Lj"),
                    Map.entry('\u01c9', "lj"),
                    Map.entry('\u01ca', "NJ"),
                    Map.entry('\u01cb', "Nj"),
                    Map.entry('\u01cc', "nj"),
                    Map.entry('\ufb00', "ff"),
                    Map.entry('\ufb01', "fi"),
                    Map.entry('\ufb02', "fl"),
                    Map.entry('\ufb03', "ffi"),
                    Map.entry('\ufb04', "ffl"),
                    Map.entry('\ufb05', "\u017ft"),
                    Map.entry('\ufb06', "st"));

    /** {@code ftfy.chardata.WIDTH_MAP} for U+FF01..U+FFEF: NFKC where it changes the char. */
    private static final String[] WIDTH_MAP = new String[0xFFF0 - 0xFF01];

    static {
        for (int i = 0xFF01; i < 0xFFF0; i++) {
            String c = String.valueOf((char) i);
            String alternate = Normalizer.normalize(c, Normalizer.Form.NFKC);
            WIDTH_MAP[i - 0xFF01] = alternate.equals(c) ? null : alternate;
        }
    }

    private Ftfy() {}

    /**
     * {@code ftfy.fix_text(text)}: fixes each line (up to a million chars) on its own; HTML
     * unescaping stops for good at the first line holding {@code '<'} ({@code unescape_html="auto"}).
     */
    static String fixText(String text) {
        if (isPlainAscii(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int textbreak = text.indexOf('\n', pos) + 1;
            if (textbreak == 0) {
                textbreak = text.length();
            }
            if (textbreak - pos > MAX_DECODE_LENGTH) {
                textbreak = pos + MAX_DECODE_LENGTH;
            }
            String segment = text.substring(pos, textbreak);
            if (unescapeHtml && segment.indexOf('<') >= 0) {
                unescapeHtml = false;
            }
            out.append(fixSegment(segment, unescapeHtml));
            pos = textbreak;
        }
        return out.toString();
    }

    /**
     * Whether every fixer leaves {@code text} as it is: printable ASCII, tab and newline only, and
     * no {@code '&'} (no entity, mojibake, C1 or control character, carriage return, escape
     * sequence, or anything NFC changes). Most prompts are such, and skip ftfy's passes.
     */
    static boolean isPlainAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n') || c > 0x7E || c == '&') {
                return false;
            }
        }
        return true;
    }

    /** {@code ftfy.fix_and_explain}: every fixer in ftfy's order, then NFC, until nothing changes. */
    static String fixSegment(String segment, boolean unescapeHtml) {
        String text = segment;
        while (true) {
            String orig = text;
            if (unescapeHtml) {
                text = unescapeHtml(text);
            }
            text = fixEncoding(text);
            text = fixC1Controls(text);
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = uncurlQuotes(text);
            text = fixLineBreaks(text);
            text = fixSurrogates(text);
            text = ANSI.matcher(text).replaceAll("");
            text = removeControlChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(orig)) {
                return text;
            }
        }
    }

    /** {@code ftfy.fixes.unescape_html}: known entities, and numeric ones that decode cleanly. */
    static String unescapeHtml(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Map<String, String> entities = FtfyTables.INSTANCE.ftfyEntities;
        Matcher m = HTML_ENTITY.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String entity = m.group();
            String replacement = entities.get(entity);
            if (replacement == null) {
                replacement = entity;
                if (entity.startsWith("&#")) {
                    String unescaped = HtmlUnescape.unescape(entity);
                    if (unescaped.indexOf(';') < 0) {
                        replacement = unescaped;
                    }
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * {@code ftfy.badness.is_bad}: whether {@code BADNESS_RE} matches anywhere.
     *
     * <p>Every alternative of {@code BADNESS_RE} holds a non-ASCII character among its first three
     * and matches at most 7 characters, so only starts within 2 characters before a non-ASCII
     * character are tried, each in a window that holds any match from there. This gives the same
     * answer as one search over the whole text ({@link #isBadFullSearch}), some hundred times
     * faster: Java tests each of the regex's long character classes as a chain of predicates.
     */
    static boolean isBad(String text) {
        Matcher m =
                FtfyTables.INSTANCE
                        .badness
                        .matcher(text)
                        .useTransparentBounds(true)
                        .useAnchoringBounds(false);
        int n = text.length();
        int tried = 0; // starts below this were tried with room for a whole match
        for (int k = 0; k < n; k++) {
            if (text.charAt(k) <= 0x7F) {
                continue;
            }
            int from = Math.max(k - 2, tried);
            m.region(from, Math.min(n, k + MAX_BADNESS_MATCH + 1));
            if (m.find()) {
                return true;
            }
            tried = k + 1;
        }
        return false;
    }

    /** {@code BADNESS_RE.search(text)} over the whole text, the reference for {@link #isBad}. */
    static boolean isBadFullSearch(String text) {
        return FtfyTables.INSTANCE.badness.matcher(text).find();
    }

    /** {@code ftfy.fix_encoding}: one-step fixes until the text stops changing. */
    static String fixEncoding(String text) {
        while (true) {
            String prev = text;
            text = fixEncodingOneStep(text);
            if (text.equals(prev)) {
                return text;
            }
        }
    }

    /** {@code ftfy._fix_encoding_one_step_and_explain}. */
    private static String fixEncodingOneStep(String text) {
        if (text.isEmpty() || isAscii(text) || !isBad(text)) {
            return text;
        }
        FtfyTables tables = FtfyTables.INSTANCE;
        List<String> possible = new ArrayList<>();
        for (String encoding : FtfyTables.CHARMAP_ENCODINGS) {
            Charmap charmap = tables.charmaps.get(encoding);
            if (!possibleEncoding(text, charmap)) {
                continue;
            }
            possible.add(encoding);
            String bytes = new String(charmap.encode(text), StandardCharsets.ISO_8859_1);
            if (ALTERED_UTF8.matcher(bytes).find()) {
                bytes = restoreByteA0(bytes);
            }
            if (encoding.startsWith("sloppy")) {
                bytes = LOSSY_UTF8.matcher(bytes).replaceAll(REPLACEMENT_BYTES);
            }
            byte[] raw = bytes.getBytes(StandardCharsets.ISO_8859_1);
            String fixed =
                    bytes.indexOf('\u00ed') >= 0 || bytes.indexOf('\u00c0') >= 0
                            ? decodeUtf8Variants(raw)
                            : decodeUtf8Strict(raw);
            if (fixed != null) {
                return fixed;
            }
        }
        if (tables.utf8Detector.matcher(text).find()) {
            String fixed = decodeInconsistentUtf8(text);
            if (!fixed.equals(text)) {
                return fixed;
            }
        }
        // ftfy checks for "windows-1252" in a list that only ever holds "sloppy-windows-1252",
        // so Latin-1 text is always tried as strict windows-1252.
        if (possible.contains("latin-1")) {
            String fixed = latin1AsWindows1252(text);
            if (fixed != null && !fixed.equals(text)) {
                return fixed;
            }
        }
        if (hasC1(text)) {
            return fixC1Controls(text);
        }
        return text;
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7F) {
                return false;
            }
        }
        return true;
    }

    /** {@code ftfy.chardata.possible_encoding}. */
    private static boolean possibleEncoding(String text, Charmap charmap) {
        for (int i = 0; i < text.length(); i++) {
            if (!charmap.canEncode(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code ftfy.fixes.restore_byte_a0}. */
    private static String restoreByteA0(String bytes) {
        String s = A_GRAVE_WORD.matcher(bytes).replaceAll("\u00c3\u00a0 ");
        Matcher m = ALTERED_UTF8.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group().replace(' ', '\u00a0')));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Python's strict {@code bytes.decode("utf-8")}; null where Python raises. */
    private static String decodeUtf8Strict(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * ftfy's {@code utf-8-variants} codec: strict UTF-8, plus {@code C0 80} as U+0000 (Java's
     * modified UTF-8) and CESU-8 surrogate pairs as one code point; null where Python raises.
     */
    static String decodeUtf8Variants(byte[] b) {
        StringBuilder out = new StringBuilder(b.length);
        int segmentStart = 0;
        int i = 0;
        while (i < b.length) {
            int special = 0;
            if ((b[i] & 0xFF) == 0xC0 && i + 1 < b.length && (b[i + 1] & 0xFF) == 0x80) {
                special = 2;
            } else if (isCesu8Pair(b, i)) {
                special = 6;
            }
            if (special == 0) {
                i++;
                continue;
            }
            String before = decodeUtf8Strict(java.util.Arrays.copyOfRange(b, segmentStart, i));
            if (before == null) {
                return null;
            }
            out.append(before);
            if (special == 2) {
                out.append('\u0000');
            } else {
                int codepoint =
                        ((b[i + 1] & 0x0F) << 16)
                                + ((b[i + 2] & 0x3F) << 10)
                                + ((b[i + 4] & 0x0F) << 6)
                                + (b[i + 5] & 0x3F)
                                + 0x10000;
                out.appendCodePoint(codepoint);
            }
            i += special;
            segmentStart = i;
        }
        String rest = decodeUtf8Strict(java.util.Arrays.copyOfRange(b, segmentStart, b.length));
        return rest == null ? null : out.append(rest).toString();
    }

    /** {@code CESU8_RE}: {@code ED [A0-AF] [80-BF] ED [B0-BF] [80-BF]}. */
    private static boolean isCesu8Pair(byte[] b, int i) {
        return i + 5 < b.length
                && (b[i] & 0xFF) == 0xED
                && in(b[i + 1], 0xA0, 0xAF)
                && in(b[i + 2], 0x80, 0xBF)
                && (b[i + 3] & 0xFF) == 0xED
                && in(b[i + 4], 0xB0, 0xBF)
                && in(b[i + 5], 0x80, 0xBF);
    }

    private static boolean in(byte b, int lo, int hi) {
        int v = b & 0xFF;
        return v >= lo && v <= hi;
    }

    /**
     * {@code ftfy.fixes.decode_inconsistent_utf8}: fixes each UTF-8-looking run that is bad on its
     * own and shorter than the whole text.
     */
    private static String decodeInconsistentUtf8(String text) {
        Matcher m = FtfyTables.INSTANCE.utf8Detector.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int total = text.codePointCount(0, text.length());
        while (m.find()) {
            String substr = m.group();
            String replacement =
                    substr.codePointCount(0, substr.length()) < total && isBad(substr)
                            ? fixEncoding(substr)
                            : substr;
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@code text.encode("latin-1").decode("windows-1252")}; null where Python raises. */
    private static String latin1AsWindows1252(String text) {
        FtfyTables tables = FtfyTables.INSTANCE;
        char[] sloppy = tables.charmaps.get("sloppy-windows-1252").decode();
        char[] out = new char[text.length()];
        for (int i = 0; i < out.length; i++) {
            char c = text.charAt(i);
            if (tables.windows1252Undefined[c]) {
                return null;
            }
            out[i] = sloppy[c];
        }
        return new String(out);
    }

    private static boolean hasC1(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                return true;
            }
        }
        return false;
    }

    /** {@code ftfy.fixes.fix_c1_controls}: C1 controls read as sloppy windows-1252. */
    static String fixC1Controls(String text) {
        if (!hasC1(text)) {
            return text;
        }
        char[] sloppy = FtfyTables.INSTANCE.charmaps.get("sloppy-windows-1252").decode();
        char[] out = text.toCharArray();
        for (int i = 0; i < out.length; i++) {
            if (out[i] >= 0x80 && out[i] <= 0x9F) {
                out[i] = sloppy[out[i]];
            }
        }
        return new String(out);
    }

    /** {@code ftfy.fixes.fix_latin_ligatures}. */
    static String fixLatinLigatures(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            String replacement = LIGATURES.get(text.charAt(i));
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(text.charAt(i));
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /** {@code ftfy.fixes.fix_character_width}: full-width and half-width forms, U+3000. */
    static String fixCharacterWidth(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = null;
            if (c == '\u3000') {
                replacement = " ";
            } else if (c >= 0xFF01 && c < 0xFFF0) {
                replacement = WIDTH_MAP[c - 0xFF01];
            }
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /** {@code ftfy.fixes.uncurl_quotes}: {@code [\u02bc\u2018-\u201b]} and {@code [\u201c-\u201f]}. */
    static String uncurlQuotes(String text) {
        char[] out = text.toCharArray();
        for (int i = 0; i < out.length; i++) {
            char c = out[i];
            if (c == '\u02bc' || (c >= '\u2018' && c <= '\u201b')) {
                out[i] = '\'';
            } else if (c >= '\u201c' && c <= '\u201f') {
                out[i] = '"';
            }
        }
        return new String(out);
    }

    /** {@code ftfy.fixes.fix_line_breaks}. */
    static String fixLineBreaks(String text) {
        return text.replace("\r\n", "\n")
                .replace('\r', '\n')
                .replace('\u2028', '\n')
                .replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    /**
     * {@code ftfy.fixes.fix_surrogates}. A Java string cannot tell a UTF-16 surrogate pair from the
     * code point it encodes, so pairs are already joined; lone surrogates become U+FFFD.
     */
    static String fixSurrogates(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired =
                    Character.isHighSurrogate(c)
                            && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                out.append('\ufffd');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** {@code ftfy.fixes.remove_control_chars}: {@code ftfy.chardata.CONTROL_CHARS}. */
    static String removeControlChars(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control =
                    c <= 0x08
                            || c == 0x0B
                            || (c >= 0x0E && c <= 0x1F)
                            || c == 0x7F
                            || (c >= 0x206A && c <= 0x206F)
                            || c == 0xFEFF
                            || (c >= 0xFFF9 && c <= 0xFFFC);
            if (control && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null && !control) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
