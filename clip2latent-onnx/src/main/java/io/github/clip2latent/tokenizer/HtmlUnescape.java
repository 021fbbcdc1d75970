package io.github.clip2latent.tokenizer;

import java.nio.charset.Charset;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python 3.11's {@code html.unescape}, with the full HTML5 entity table ({@code
 * html.entities.html5}, 2,231 names, read from {@link FtfyTables}).
 */
final class HtmlUnescape {

    /**
     * Python's {@code html._charref}: numeric references with an optional semicolon, or a name of
     * up to 32 characters with an optional semicolon.
     */
    private static final Pattern CHAR_REF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private HtmlUnescape() {}

    /** {@code html.unescape(s)}. */
    static String unescape(String s) {
        return unescape(s, FtfyTables.INSTANCE.html5);
    }

    /** {@code html.unescape(s)} with the given entity table (used while the tables load). */
    static String unescape(String s, Map<String, String> html5) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHAR_REF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replaceCharRef(m.group(1), html5)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@code html._replace_charref}. */
    private static String replaceCharRef(String ref, Map<String, String> html5) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.length() > 1 && (ref.charAt(1) == 'x' || ref.charAt(1) == 'X');
            String digits = ref.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            return numericCharRef(digits, hex ? 16 : 10);
        }
        String exact = html5.get(ref);
        if (exact != null) {
            return exact;
        }
        // The longest name that prefixes the reference, as Python's loop over s[:x].
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = html5.get(ref.substring(0, x));
            if (prefix != null) {
                return prefix + ref.substring(x);
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
            // HTML5 reads these as windows-1252; its five undefined bytes stay the C1 control.
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
}
