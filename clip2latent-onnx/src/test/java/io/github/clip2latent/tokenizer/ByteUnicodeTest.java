package io.github.clip2latent.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

class ByteUnicodeTest {

    @Test
    void mapsEveryByteToADistinctPrintableCharacter() {
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteUnicode.encode(b);
            seen.add(c);
            assertFalse(Character.isISOControl(c), "byte " + b);
            assertFalse(Character.isWhitespace(c) || Character.isSpaceChar(c), "byte " + b);
            assertEquals(b, ByteUnicode.decode(c));
        }
        assertEquals(256, seen.size());
    }

    @Test
    void knownValuesOfGpt2Table() {
        for (int b = '!'; b <= '~'; b++) {
            assertEquals((char) b, ByteUnicode.encode(b));
        }
        assertEquals('\u0100', ByteUnicode.encode(0));
        assertEquals('\u010A', ByteUnicode.encode(10)); // 'Ċ'
        assertEquals('\u0120', ByteUnicode.encode(32)); // 'Ġ'
        assertEquals('\u0121', ByteUnicode.encode(127));
        assertEquals('\u0143', ByteUnicode.encode(0xAD)); // soft hyphen, the last remapped byte
        assertEquals('\u00A1', ByteUnicode.encode(0xA1));
        assertEquals('\u00FF', ByteUnicode.encode(0xFF));
        assertEquals(-1, ByteUnicode.decode('\u0144'));
        assertEquals(-1, ByteUnicode.decode(' '));
    }

    @Test
    void vocabOrderListsPrintableBytesFirstThenTheRemappedOnes() {
        assertEquals('!', ByteUnicode.inVocabOrder(0));
        assertEquals('~', ByteUnicode.inVocabOrder(93));
        assertEquals('\u00A1', ByteUnicode.inVocabOrder(94));
        assertEquals('\u00FF', ByteUnicode.inVocabOrder(187));
        assertEquals('\u0100', ByteUnicode.inVocabOrder(188));
        assertEquals('\u0120', ByteUnicode.inVocabOrder(220)); // space
        assertEquals('\u0143', ByteUnicode.inVocabOrder(255));
    }

    @Test
    void encodesUtf8BytesOfMultibyteCharacters() {
        // 'é' is C3 A9, both printable Latin-1; '猫' is E7 8C AB, where 8C is remapped.
        assertEquals("caf\u00C3\u00A9", ByteUnicode.encodeUtf8("café"));
        assertEquals("\u00E7\u012E\u00AB", ByteUnicode.encodeUtf8("猫"));
        assertEquals("a\u0120b", ByteUnicode.encodeUtf8("a b"));
    }
}
