package io.github.clip2latent.tokenizer;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The text clean-up that CLIP's {@code simple_tokenizer.py} applies before splitting: {@code
 * whitespace_clean(basic_clean(text)).lower()}, where {@code basic_clean} is {@code
 * html.unescape(html.unescape(ftfy.fix_text(text))).strip()} and {@code whitespace_clean} turns
 * every run of {@code \s} into one space and strips.
 *
 * <p>{@code ftfy.fix_text} is the port in {@link Ftfy} (ftfy 6.1.1, default configuration);
 * {@code html.unescape} the one in {@link HtmlUnescape}, with Python's full HTML5 entity table.
 */
final class TextCleaner {

    /**
     * Unicode White_Space: what the {@code regex} module's {@code \s} matches in CLIP's patterns.
     */
    private static final Pattern WHITESPACE_RUN = Pattern.compile("\\p{IsWhite_Space}+");

    private TextCleaner() {}

    /** Applies CLIP's full clean-up: ftfy, unescape twice, strip, whitespace, lower. */
    static String clean(String text) {
        String s = Ftfy.fixText(text);
        s = pythonStrip(HtmlUnescape.unescape(HtmlUnescape.unescape(s)));
        s = pythonStrip(WHITESPACE_RUN.matcher(s).replaceAll(" "));
        // Python's str.lower() uses the full, locale-free mappings, as Locale.ROOT does.
        return s.toLowerCase(Locale.ROOT);
    }

    /** Python's {@code html.unescape}; see {@link HtmlUnescape}. */
    static String unescapeHtml(String s) {
        return HtmlUnescape.unescape(s);
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
}
