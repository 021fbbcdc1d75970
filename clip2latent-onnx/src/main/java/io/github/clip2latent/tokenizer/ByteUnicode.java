package io.github.clip2latent.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2's reversible byte-to-unicode table, as {@code bytes_to_unicode()} in CLIP's {@code
 * simple_tokenizer.py}: every byte maps to one printable, non-whitespace character so BPE can work
 * on strings while covering every possible UTF-8 byte sequence.
 *
 * <p>Bytes that are already printable Latin-1 ({@code !}..{@code ~}, {@code ¡}..{@code ¬}, {@code
 * ®}..{@code ÿ}) map to themselves; the other 68 bytes map, in byte order, to U+0100, U+0101, ...
 * (so space, byte 32, becomes {@code Ġ} U+0120).
 */
final class ByteUnicode {

    /** Byte value (0..255) to its character. */
    private static final char[] BYTE_TO_CHAR = new char[256];

    /**
     * Character to byte value, -1 where the character is not in the table; all chars are < 0x144.
     */
    private static final int[] CHAR_TO_BYTE;

    /**
     * The 256 characters in the order {@code bytes_to_unicode().values()} yields them; CLIP's vocab
     * starts with exactly this sequence, so the index here is the token id of the bare symbol.
     */
    private static final char[] VOCAB_ORDER = new char[256];

    static {
        boolean[] printable = new boolean[256];
        int n = 0;
        for (int b = '!'; b <= '~'; b++) {
            printable[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable[b] = true;
        }
        int order = 0;
        for (int b = 0; b < 256; b++) {
            if (printable[b]) {
                BYTE_TO_CHAR[b] = (char) b;
                VOCAB_ORDER[order++] = (char) b;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                BYTE_TO_CHAR[b] = (char) (256 + n++);
                VOCAB_ORDER[order++] = BYTE_TO_CHAR[b];
            }
        }
        CHAR_TO_BYTE = new int[256 + n];
        Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private ByteUnicode() {}

    /**
     * Returns the character for one byte value; {@code b} is taken modulo 256 (signed bytes
     * welcome).
     */
    static char encode(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** Returns the byte value of a table character, or -1 if {@code c} is not one. */
    static int decode(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** UTF-8 encodes {@code text} and maps each byte to its character. */
    static String encodeUtf8(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = encode(bytes[i]);
        }
        return new String(chars);
    }

    /** The i-th character of the table in CLIP's vocab order (see {@link #VOCAB_ORDER}). */
    static char inVocabOrder(int i) {
        return VOCAB_ORDER[i];
    }
}
