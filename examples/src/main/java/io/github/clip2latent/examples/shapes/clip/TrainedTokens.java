package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.SortedSet;

/**
 * The token ids a world CLIP is trained on, out of the full CLIP vocabulary. Training keeps one
 * token-table row per trained id plus one shared row for every other id (the "unknown" row): a
 * compact table of {@code size() + 1} rows, row 0 the unknown row and row {@code 1 + k} the k-th
 * trained id in ascending order. The exported table has all {@code vocabularySize} rows, each
 * untrained id holding a copy of the unknown row, so a prompt with an untrained word embeds exactly
 * as if that word were the unknown token. Immutable.
 */
public final class TrainedTokens {

    private final int vocabularySize;
    private final int[] ids;
    private final int[] compact;

    private TrainedTokens(int vocabularySize, int[] ids) {
        this.vocabularySize = vocabularySize;
        this.ids = ids;
        this.compact = new int[vocabularySize];
        for (int k = 0; k < ids.length; k++) {
            compact[ids[k]] = k + 1;
        }
    }

    /**
     * The subset {@code ids} of a vocabulary of {@code vocabularySize} tokens.
     *
     * @param vocabularySize rows of the full table (49408 for OpenAI CLIP)
     * @param ids the trained ids, each in [0, vocabularySize); at least one
     * @return the subset
     */
    public static TrainedTokens of(int vocabularySize, SortedSet<Integer> ids) {
        checkNotNull(ids, "ids");
        checkArgument(vocabularySize >= 2, "vocabularySize must be >= 2, got %s", vocabularySize);
        checkArgument(!ids.isEmpty(), "at least one trained token id is needed");
        int[] sorted = ids.stream().mapToInt(Integer::intValue).toArray();
        checkArgument(
                sorted[0] >= 0 && sorted[sorted.length - 1] < vocabularySize,
                "token ids must be in [0, %s), got %s .. %s",
                vocabularySize,
                sorted[0],
                sorted[sorted.length - 1]);
        return new TrainedTokens(vocabularySize, sorted);
    }

    /** Rows of the full table. */
    public int vocabularySize() {
        return vocabularySize;
    }

    /** Number of trained ids. */
    public int size() {
        return ids.length;
    }

    /** Rows of the compact training table: the trained ids plus the unknown row. */
    public int compactRows() {
        return ids.length + 1;
    }

    /** The trained ids in ascending order (a copy). */
    public int[] ids() {
        return ids.clone();
    }

    /** Whether {@code id} was trained. */
    public boolean contains(long id) {
        return id >= 0 && id < vocabularySize && compact[(int) id] != 0;
    }

    /**
     * The compact row of a token id: {@code 1 + rank} for a trained id, 0 (the unknown row) for any
     * other id of the vocabulary.
     *
     * @param id a token id in [0, vocabularySize)
     * @return the compact row
     */
    public int compactRow(long id) {
        checkArgument(
                id >= 0 && id < vocabularySize,
                "token id %s is outside the vocabulary [0, %s)",
                id,
                vocabularySize);
        return compact[(int) id];
    }

    /**
     * Expands a compact table {@code [compactRows, width]} to the full {@code [vocabularySize,
     * width]} table: trained ids get their row, every other id the unknown row.
     *
     * @param table the compact table, row-major
     * @param width the row width
     * @return the full table, row-major
     */
    public float[] expand(float[] table, int width) {
        checkArgument(
                table.length == compactRows() * width,
                "compact table: need %s x %s values, got %s",
                compactRows(),
                width,
                table.length);
        float[] full = new float[Math.multiplyExact(vocabularySize, width)];
        for (int id = 0; id < vocabularySize; id++) {
            System.arraycopy(table, compact[id] * width, full, id * width, width);
        }
        return full;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainedTokens t
                && t.vocabularySize == vocabularySize
                && Arrays.equals(t.ids, ids);
    }

    @Override
    public int hashCode() {
        return 31 * vocabularySize + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "TrainedTokens[" + ids.length + " of " + vocabularySize + "]";
    }
}
