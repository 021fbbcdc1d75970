package io.github.clip2latent.tokenizer;

import java.nio.charset.Charset;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text clean-up that CLIP's {@code simple_tokenizer.py} applies before splitting: {@code
 * whitespace_clean(basic_clean(text)).lower()}.
 *
 * <p>{@code basic_clean} starts with {@code ftfy.fix_text}, a heuristic repair library (mojibake,
 * curly quotes, ligatures, full-width forms, control characters, ...) that cannot be reproduced
 * faithfully here. Of its steps we keep only the last, deterministic ones: NFC normalization
 * (ftfy's default {@code normalization="NFC"}) and replacing unpaired surrogates with U+FFFD (as
 * ftfy's {@code fix_surrogates} does; Python would fail to UTF-8 encode them). Everything else is
 * skipped, so text that ftfy would have changed (e.g. {@code ’} is not straightened to {@code '},
 * {@code ﬁ} is not expanded to {@code fi}, {@code "schÃ¶n"} is not repaired to {@code "schön"})
 * tokenizes differently from the Python reference. Clean, ordinary prompts are unaffected.
 */
final class TextCleaner {

    /**
     * Unicode White_Space: what the {@code regex} module's {@code \s} matches in CLIP's patterns.
     */
    private static final Pattern WHITESPACE_RUN = Pattern.compile("\\p{IsWhite_Space}+");

    /**
     * Python's {@code html._charref}: numeric references with an optional semicolon, or a name of
     * up to 32 characters with an optional semicolon.
     */
    private static final Pattern CHAR_REF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /**
     * The named entities we decode: those that occur in prompts. Keys ending in ';' need it; keys
     * without are HTML5's legacy forms that also decode without the semicolon (and as a prefix:
     * {@code "&ampx"} becomes {@code "&x"}, as in Python). Other names are left as they are.
     */
    private static final Map<String, String> ENTITIES =
            Map.ofEntries(
                    Map.entry("amp", "&"),
                    Map.entry("lt", "<"),
                    Map.entry("gt", ">"),
                    Map.entry("quot", "\""),
                    Map.entry("nbsp", "\u00a0"),
                    Map.entry("copy", "\u00a9"),
                    Map.entry("reg", "\u00ae"),
                    Map.entry("deg", "\u00b0"),
                    Map.entry("times", "\u00d7"),
                    Map.entry("apos;", "'"),
                    Map.entry("hellip;", "\u2026"),
                    Map.entry("ndash;", "\u2013"),
                    Map.entry("mdash;", "\u2014"),
                    Map.entry("lsquo;", "\u2018"),
                    Map.entry("rsquo;", "\u2019"),
                    Map.entry("ldquo;", "\u201c"),
                    Map.entry("rdquo;", "\u201d"),
                    Map.entry("trade;", "\u2122"),
                    Map.entry("euro;", "\u20ac"));

    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private TextCleaner() {}

    /**
     * Applies CLIP's full clean-up: fix (partly, see class doc), unescape twice, whitespace, lower.
     */
    static String clean(String text) {
        String s = Normalizer.normalize(replaceLoneSurrogates(text), Normalizer.Form.NFC);
        s = pythonStrip(unescapeHtml(unescapeHtml(s)));
        s = pythonStrip(WHITESPACE_RUN.matcher(s).replaceAll(" "));
        // Python's str.lower() uses the full, locale-free mappings, as Locale.ROOT does.
        return s.toLowerCase(Locale.ROOT);
    }

    /** Python's {@code html.unescape}, for the numeric references and the names in ENTITIES. */
    static String unescapeHtml(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHAR_REF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replaceCharRef(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replaceCharRef(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.length() > 1 && (ref.charAt(1) == 'x' || ref.charAt(1) == 'X');
            String digits = ref.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            return numericCharRef(digits, hex ? 16 : 10);
        }
        String exact = ENTITIES.get(ref);
        if (exact == null && ref.endsWith(";")) {
            // HTML5 lists legacy names both with and without the semicolon; we store them without.
            exact = ENTITIES.get(ref.substring(0, ref.length() - 1));
        }
        if (exact != null) {
            return exact;
        }
        // Longest legacy name that prefixes the reference, as Python's loop over s[:x].
        for (int x = ref.length() - 1; x > 1; x--) {
            String legacy = ENTITIES.get(ref.substring(0, x));
            if (legacy != null) {
                return legacy + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    /** Python's rules: a few code points are remapped, surrogates and huge values become U+FFFD. */
    private static String numericCharRef(String digits, int radix) {
        long num = 0;
        for (int i = 0; i < digits.length(); i++) {
            // Saturate: anything above 0x10FFFF is treated alike, however many digits it has.
            num = Math.min(num * radix + Character.digit(digits.charAt(i), radix), 0x110000L);
        }
        if (num == 0) {
            return "\ufffd";
        }
        if (num == 0x0D) {
            return "\r";
        }
        if (num >= 0x80 && num <= 0x9F) {
            // HTML5 reads these as windows-1252; its five undefined bytes stay the C1 control
            // itself.
            String decoded = new String(new byte[] {(byte) num}, WINDOWS_1252);
            return decoded.equals("\ufffd") ? String.valueOf((char) num) : decoded;
        }
        if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
            return "\ufffd";
        }
        if (isInvalidCodePoint((int) num)) {
            return "";
        }
        return new String(Character.toChars((int) num));
    }

    /** Python's {@code html._invalid_codepoints}: controls and non-characters decode to nothing. */
    private static boolean isInvalidCodePoint(int cp) {
        return (cp >= 0x1 && cp <= 0x8)
                || cp == 0xB
                || (cp >= 0xE && cp <= 0x1F)
                || (cp >= 0x7F && cp <= 0x9F)
                || (cp >= 0xFDD0 && cp <= 0xFDEF)
                || (cp & 0xFFFE) == 0xFFFE;
    }

    /** Python's {@code str.strip()}: whitespace is bidi class WS, B or S, or category Zs. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isPythonSpace(char c) {
        byte dir = Character.getDirectionality(c);
        return dir == Character.DIRECTIONALITY_WHITESPACE
                || dir == Character.DIRECTIONALITY_PARAGRAPH_SEPARATOR
                || dir == Character.DIRECTIONALITY_SEGMENT_SEPARATOR
                || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    private static String replaceLoneSurrogates(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired =
                    Character.isHighSurrogate(c)
                            && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (out == null) {
                    out = new StringBuilder(s.length()).append(s, 0, i);
                }
                out.append('\ufffd');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }
}
