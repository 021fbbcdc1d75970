package io.github.clip2latent.tokenizer;

import java.util.Arrays;

/**
 * One tokenized prompt: a row of {@code contextLength} ids, {@code [<|startoftext|>, tokens...,
 * <|endoftext|>, 0, 0, ...]}, zero-padded as {@code clip.tokenize} pads.
 *
 * @param ids the id row; its length is the tokenizer's context length (copied in and out, so this
 *     record stays immutable)
 * @param length how many ids are not padding: the tokens plus start and end tokens
 * @param eotIndex where the appended end-of-text token is ({@code length - 1}); CLIP text encoders
 *     take the features at this position (their {@code argmax} over ids)
 * @param truncated whether tokens were dropped to fit ({@link TruncationPolicy#TRUNCATE} only)
 */
public record TokenizedText(long[] ids, int length, int eotIndex, boolean truncated) {

    /**
     * Checks the invariants and copies {@code ids}.
     *
     * @param ids the id row
     * @param length how many ids are not padding
     * @param eotIndex where the end token is; {@code length - 1}
     * @param truncated whether tokens were dropped to fit
     */
    public TokenizedText {
        ids = ids.clone();
        if (length < 2 || length > ids.length || eotIndex != length - 1) {
            throw new IllegalArgumentException(
                    "inconsistent tokenized text: length "
                            + length
                            + ", eotIndex "
                            + eotIndex
                            + ", "
                            + ids.length
                            + " ids");
        }
    }

    /** {@return a copy of the id row} */
    @Override
    public long[] ids() {
        return ids.clone();
    }

    /**
     * Returns one id without copying the row.
     *
     * @param index a position in {@code [0, ids().length)}
     * @return the id there
     */
    public long id(int index) {
        return ids[index];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenizedText t
                && length == t.length
                && eotIndex == t.eotIndex
                && truncated == t.truncated
                && Arrays.equals(ids, t.ids);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Boolean.hashCode(truncated) + 7 * length;
    }

    @Override
    public String toString() {
        return "TokenizedText[ids="
                + Arrays.toString(Arrays.copyOf(ids, length))
                + " + "
                + (ids.length - length)
                + " padding, eotIndex="
                + eotIndex
                + ", truncated="
                + truncated
                + "]";
    }
}
