package io.github.clip2latent.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The port of {@code ftfy.fix_text} against the real ftfy 6.1.1: ftfy's own 143 test cases (real
 * mojibake from tweets and web pages) and prompt-like strings, with the outputs that {@code
 * src/test/resources/ftfy-goldens/make_goldens.py} recorded from Python.
 */
class FtfyTest {

    private static JsonNode cases() throws IOException {
        try (InputStream in = FtfyTest.class.getResourceAsStream("/ftfy-goldens/ftfy_cases.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            assertEquals("6.1.1", root.path("ftfy").asText());
            return root.path("cases");
        }
    }

    @Test
    void fixTextMatchesFtfyOnEveryGoldenCase() throws IOException {
        JsonNode cases = cases();
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.path("text").asText();
            String expected = c.path("fix_text").asText();
            String actual = Ftfy.fixText(text);
            if (!expected.equals(actual)) {
                failures.add(c.path("source").asText() + ": " + escape(text) + " -> expected "
                        + escape(expected) + ", got " + escape(actual));
            }
        }
        assertTrue(cases.size() > 170, "only " + cases.size() + " cases");
        assertEquals(List.of(), failures, failures.size() + " of " + cases.size() + " differ");
    }

    @Test
    void clipCleanUpMatchesSimpleTokenizerOnEveryGoldenCase() throws IOException {
        JsonNode cases = cases();
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.path("text").asText();
            String expected = c.path("cleaned").asText();
            String actual = TextCleaner.clean(text);
            if (!expected.equals(actual)) {
                failures.add(c.path("source").asText() + ": " + escape(text) + " -> expected "
                        + escape(expected) + ", got " + escape(actual));
            }
        }
        assertEquals(List.of(), failures, failures.size() + " of " + cases.size() + " differ");
    }

    @Test
    void commonPromptRepairs() {
        assertEquals("it's \"quoted\"", Ftfy.fixText("it\u2019s \u201cquoted\u201d"));
        assertEquals("fine flower", Ftfy.fixText("\ufb01ne \ufb02ower"));
        assertEquals("LOUD 123", Ftfy.fixText("\uff2c\uff2f\uff35\uff24\u3000\uff11\uff12\uff13"));
        assertEquals("caf\u00e9 na\u00efve", Ftfy.fixText("caf\u00c3\u00a9 na\u00c3\u00afve"));
        assertEquals("bell", Ftfy.fixText("be\u0007ll"));
        assertEquals("\u00e9", Ftfy.fixText("e\u0301"));
        assertEquals("a & b", Ftfy.fixText("a &amp; b"));
        // A '<' means real HTML: ftfy then keeps entities (CLIP's html.unescape still decodes).
        assertEquals("<b> &amp;", Ftfy.fixText("<b> &amp;"));
    }

    @Test
    void cleanTextIsLeftAlone() {
        String prompt = "a photo of 3 dogs, in the style of van Gogh (1889) - 50% off!";
        assertEquals(prompt, Ftfy.fixText(prompt));
        assertFalse(Ftfy.isBad(prompt));
        assertTrue(Ftfy.isBad("caf\u00c3\u00a9"));
    }

    @Test
    void utf8VariantsDecodeJavaNullsAndCesu8() {
        byte[] nul = {'a', (byte) 0xC0, (byte) 0x80, 'b'};
        assertEquals("a\u0000b", Ftfy.decodeUtf8Variants(nul));
        byte[] cesu = {(byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x8D};
        assertEquals(new String(Character.toChars(0x1F60D)), Ftfy.decodeUtf8Variants(cesu));
        assertNull(Ftfy.decodeUtf8Variants(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0xBD}));
        assertNull(Ftfy.decodeUtf8Variants(new byte[] {(byte) 0xC0, 'a'}));
    }

    @Test
    void htmlUnescapeKnowsEveryHtml5Name() {
        assertEquals("\u00e9", HtmlUnescape.unescape("&eacute;"));
        assertEquals("\u222e", HtmlUnescape.unescape("&ContourIntegral;"));
        // Two code points for one name, and a legacy name without ';' used as a prefix.
        assertEquals("\u223e\u0333", HtmlUnescape.unescape("&acE;"));
        assertEquals("\u00e9t\u00e9", HtmlUnescape.unescape("&eacutet&eacute;"));
        // ftfy's own unescape also knows upper-case spellings that Python's does not.
        assertEquals("&EACUTE;", HtmlUnescape.unescape("&EACUTE;"));
        assertEquals("\u00c9", Ftfy.unescapeHtml("&EACUTE;"));
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints()
                .forEach(
                        cp -> {
                            if (cp >= 0x20 && cp < 0x7F) {
                                out.appendCodePoint(cp);
                            } else {
                                out.append(String.format("\\u%04x", cp));
                            }
                        });
        return out.append('"').toString();
    }
}
