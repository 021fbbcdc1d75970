package io.github.clip2latent.tokenizer;

import static io.github.clip2latent.tokenizer.Fixtures.byteSym;
import static io.github.clip2latent.tokenizer.Fixtures.end;
import static io.github.clip2latent.tokenizer.Fixtures.sym;
import static io.github.clip2latent.tokenizer.Fixtures.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.List;

class ClipTokenizerTest {

    /** No merges: every byte is its own token; start is 512, end is 513. */
    private static final ClipTokenizer BYTES = tokenizer();

    private static int[] content(ClipTokenizer tokenizer, String prompt) {
        TokenizedText t = tokenizer.tokenize(prompt);
        assertEquals(tokenizer.startOfTextId(), t.id(0));
        assertEquals(tokenizer.endOfTextId(), t.id(t.eotIndex()));
        int[] ids = new int[t.length() - 2];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) t.id(i + 1);
        }
        for (int i = t.length(); i < tokenizer.contextLength(); i++) {
            assertEquals(0, t.id(i), "padding");
        }
        return ids;
    }

    @Test
    void singleLetterHasClipId() {
        // Real CLIP gives "a" id 320 too: the layout puts "a</w>" at 256 + 64.
        assertArrayEquals(
                new long[] {512, 320, 513}, java.util.Arrays.copyOf(BYTES.tokenize("a").ids(), 3));
        assertEquals(77, BYTES.tokenize("a").ids().length);
    }

    @Test
    void mergeOrderDecidesTheResult() {
        // "abc" is a, b, c</w>: whichever of the two overlapping merges ranks first wins.
        ClipTokenizer abFirst = tokenizer("a b", "b c</w>");
        ClipTokenizer bcFirst = tokenizer("b c</w>", "a b");
        assertArrayEquals(new int[] {512, end('c')}, content(abFirst, "abc"));
        assertArrayEquals(new int[] {sym('a'), 512}, content(bcFirst, "abc"));
    }

    @Test
    void mergesChainAndApplyToEveryOccurrence() {
        ClipTokenizer t = tokenizer("l o", "h e", "he l", "hel lo</w>", "l o</w>", "a a");
        // h e l l o</w> -> he, hel, then lo</w> (rank 4; rank 0 "l o" never matches the final
        // o</w>), then hel + lo</w> = id 515.
        assertArrayEquals(new int[] {515}, content(t, "hello"));
        // a a a a a</w>: "a a" merges both leading pairs at once, left to right, not overlapping.
        assertArrayEquals(new int[] {517, 517, end('a')}, content(t, "aaaaa"));
    }

    @Test
    void punctuationRunsArePieces() {
        assertArrayEquals(
                new int[] {
                    sym('h'), end('i'), end(','), sym('y'), sym('o'), end('u'), sym('?'), end('!')
                },
                content(BYTES, "hi, you?!"));
        assertEquals(List.of("...", "wait", "--", "what"), ClipTokenizer.split("...wait -- what"));
    }

    @Test
    void apostropheSuffixesSplitOff() {
        assertEquals(
                List.of(
                        "it", "'s", "don", "'t", "we", "'re", "i", "'ve", "i", "'m", "you", "'ll",
                        "he", "'d"),
                ClipTokenizer.split("it's don't we're I've I'm you'll he'd"));
        assertEquals(List.of("rock", "'", "n", "'", "roll"), ClipTokenizer.split("rock'n'roll"));
        ClipTokenizer t = tokenizer("' s</w>");
        assertArrayEquals(new int[] {sym('i'), end('t'), 512}, content(t, "it's"));
        assertArrayEquals(new int[] {sym('i'), end('t'), 512}, content(t, "IT'S"));
    }

    @Test
    void digitsAreOneTokenEach() {
        assertEquals(List.of("2", "0", "2", "4", "px"), ClipTokenizer.split("2024px"));
        assertArrayEquals(
                new int[] {end('2'), end('0'), end('2'), end('4')},
                content(tokenizer("2 0</w>"), "2024"));
    }

    @Test
    void unicodeLettersAreUtf8BytesThroughTheByteTable() {
        // é = C3 A9; ï = C3 AF; 猫 = E7 8C AB, with 8C remapped to U+012E (id 234).
        assertArrayEquals(new int[] {66, 64, 69, 127, 256 + 102}, content(BYTES, "café"));
        assertArrayEquals(
                new int[] {sym('n'), sym('a'), byteSym(0xC3), byteSym(0xAF), sym('v'), end('e')},
                content(BYTES, "naïve"));
        assertArrayEquals(new int[] {163, 234, 256 + 104}, content(BYTES, "猫"));
        assertEquals(List.of("東京タワーに", "2", "匹"), ClipTokenizer.split("東京タワーに2匹"));
        // Upper case is lowered before encoding, for accented letters too.
        assertArrayEquals(content(BYTES, "café"), content(BYTES, "CAFÉ"));
    }

    @Test
    void decomposedAccentsAreComposedFirst() {
        // ftfy's NFC step: "e" + U+0301 would otherwise split off the accent as punctuation.
        assertArrayEquals(content(BYTES, "café"), content(BYTES, "cafe\u0301"));
    }

    @Test
    void whitespaceIsCollapsedAndStripped() {
        int[] expected = content(BYTES, "a big dog");
        assertArrayEquals(expected, content(BYTES, "  a\tbig\n\n dog  "));
        assertArrayEquals(expected, content(BYTES, "a\u00A0big\u3000\r\ndog"));
        assertEquals(List.of("a", "b"), ClipTokenizer.split("\u2028a \u2003 b\u000B"));
    }

    @Test
    void caseDoesNotMatter() {
        ClipTokenizer t = tokenizer("h e", "he l", "hel l", "hell o</w>");
        assertArrayEquals(new int[] {515}, content(t, "HeLLo"));
        assertArrayEquals(content(t, "hello world"), content(t, "HELLO WORLD"));
    }

    @Test
    void htmlEntitiesAreUnescapedTwice() {
        assertArrayEquals(content(BYTES, "rock & roll"), content(BYTES, "rock &amp; roll"));
        assertArrayEquals(content(BYTES, "rock & roll"), content(BYTES, "rock &amp;amp; roll"));
        assertArrayEquals(content(BYTES, "<b>"), content(BYTES, "&lt;b&gt;"));
        assertArrayEquals(content(BYTES, "\"hi\""), content(BYTES, "&quot;hi&quot;"));
        assertArrayEquals(content(BYTES, "dog's"), content(BYTES, "dog&#39;s"));
        assertArrayEquals(content(BYTES, "dog's"), content(BYTES, "dog&apos;s"));
        assertArrayEquals(content(BYTES, "a b"), content(BYTES, "a&nbsp;b"));
        assertArrayEquals(content(BYTES, "abc"), content(BYTES, "&#x41;&#66;c"));
        assertEquals(List.of("dog", "'s"), ClipTokenizer.split("dog&#39;s"));
    }

    @Test
    void htmlUnescapeFollowsPythonsRules() {
        assertEquals("&", TextCleaner.unescapeHtml("&amp"));
        assertEquals("&;", TextCleaner.unescapeHtml("&amp;;"));
        assertEquals("\u00a0", TextCleaner.unescapeHtml("&nbsp;"));
        assertEquals("&x", TextCleaner.unescapeHtml("&ampx"));
        assertEquals("&apos", TextCleaner.unescapeHtml("&apos"));
        assertEquals("&unknown;", TextCleaner.unescapeHtml("&unknown;"));
        assertEquals("A", TextCleaner.unescapeHtml("&#65"));
        assertEquals("\ufffd", TextCleaner.unescapeHtml("&#0;"));
        assertEquals("\u20ac", TextCleaner.unescapeHtml("&#128;"));
        assertEquals("\u0081", TextCleaner.unescapeHtml("&#129;"));
        assertEquals("", TextCleaner.unescapeHtml("&#1;"));
        assertEquals("\ufffd", TextCleaner.unescapeHtml("&#xD800;"));
        assertEquals("\ufffd", TextCleaner.unescapeHtml("&#99999999999999999999;"));
        assertEquals("\uD83D\uDE00", TextCleaner.unescapeHtml("&#x1F600;"));
        assertEquals("a & b", TextCleaner.unescapeHtml("a & b"));
    }

    @Test
    void exactly75TokensFit() {
        String prompt = "a ".repeat(75);
        TokenizedText t = BYTES.tokenize(prompt);
        assertEquals(77, t.length());
        assertEquals(76, t.eotIndex());
        assertEquals(513, t.id(76));
        assertFalse(t.truncated());
    }

    @Test
    void seventySixTokensAreAnErrorByDefault() {
        String prompt = "a ".repeat(76);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BYTES.tokenize(prompt));
        assertTrue(e.getMessage().contains("78 tokens"), e.getMessage());
        assertTrue(e.getMessage().contains("context length is 77"), e.getMessage());
        assertTrue(e.getMessage().contains("\"a a a a"), e.getMessage());
        assertTrue(e.getMessage().contains("TRUNCATE"), e.getMessage());
    }

    @Test
    void truncateKeepsFirst75TokensThenEnd() {
        ClipTokenizer t = BYTES.withTruncationPolicy(TruncationPolicy.TRUNCATE);
        TokenizedText out = t.tokenize("a ".repeat(75) + "b c d");
        assertTrue(out.truncated());
        assertEquals(77, out.length());
        assertEquals(76, out.eotIndex());
        long[] ids = out.ids();
        assertEquals(512, ids[0]);
        for (int i = 1; i <= 75; i++) {
            assertEquals(320, ids[i]);
        }
        assertEquals(513, ids[76]);
    }

    @Test
    void contextLengthIsConfigurable() {
        ClipTokenizer t = BYTES.withContextLength(5);
        assertArrayEquals(new long[] {512, end('a'), end('b'), 513, 0}, t.tokenize("a b").ids());
        assertThrows(IllegalArgumentException.class, () -> t.tokenize("a b c d"));
        assertThrows(IllegalArgumentException.class, () -> BYTES.withContextLength(1));
        assertEquals(77, BYTES.contextLength());
    }

    @Test
    void emptyPromptIsStartThenEnd() {
        for (String empty : new String[] {"", "   ", "\n\t"}) {
            TokenizedText t = BYTES.tokenize(empty);
            assertEquals(2, t.length());
            assertEquals(1, t.eotIndex());
            assertEquals(512, t.id(0));
            assertEquals(513, t.id(1));
            assertEquals(0, t.id(2));
        }
    }

    @Test
    void literalSpecialTokensBecomeSpecialIdsAsInTheReference() {
        assertArrayEquals(new int[] {end('a'), 513, end('b')}, content(BYTES, "a <|endoftext|> b"));
        assertArrayEquals(new int[] {512}, content(BYTES, "<|StartOfText|>"));
    }

    @Test
    void batchIsRowMajor() {
        long[] batch = BYTES.tokenizeBatch(List.of("a", "b c"));
        assertEquals(2 * 77, batch.length);
        assertArrayEquals(BYTES.tokenize("a").ids(), java.util.Arrays.copyOfRange(batch, 0, 77));
        assertArrayEquals(
                BYTES.tokenize("b c").ids(), java.util.Arrays.copyOfRange(batch, 77, 154));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> BYTES.tokenizeBatch(List.of("a", "a ".repeat(80))));
        assertTrue(e.getMessage().startsWith("prompt 1: "), e.getMessage());
    }

    @Test
    void decodeInvertsEncodeUpToSpacing() {
        ClipTokenizer t = tokenizer("c a", "ca t</w>");
        assertEquals("a cat , café 猫 ", t.decode(t.encode("A cat, café 猫")));
        assertEquals(
                "<|startoftext|>a <|endoftext|>",
                t.decode(new int[] {t.startOfTextId(), 320, t.endOfTextId()}));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {99_999}));
    }

    @Test
    void recordIsImmutable() {
        TokenizedText t = BYTES.tokenize("a");
        t.ids()[1] = 7;
        assertEquals(320, t.id(1));
        assertEquals(t, BYTES.tokenize("a"));
        assertEquals(t.hashCode(), BYTES.tokenize("a").hashCode());
    }
}
