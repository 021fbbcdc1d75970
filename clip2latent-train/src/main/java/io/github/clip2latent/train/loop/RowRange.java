package io.github.clip2latent.train.loop;

import java.util.Objects;

/**
 * A contiguous range of rows of another {@link SampleSource}, renumbered from 0: training reads the
 * leading rows of a dataset and validation the held-out tail, so the two never share a pair.
 */
public final class RowRange implements SampleSource {

    private final SampleSource source;
    private final long from;
    private final long size;

    private RowRange(SampleSource source, long from, long size) {
        this.source = source;
        this.from = from;
        this.size = size;
    }

    /**
     * The rows {@code [from, to)} of {@code source}.
     *
     * @param source the underlying rows
     * @param from first row, {@code >= 0}
     * @param to end row (exclusive), in {@code (from, source.size()]}
     * @return the view
     */
    public static RowRange of(SampleSource source, long from, long to) {
        Objects.requireNonNull(source, "source");
        if (from < 0 || to <= from || to > source.size()) {
            throw new IllegalArgumentException(
                    "row range must satisfy 0 <= from < to <= "
                            + source.size()
                            + ", got ["
                            + from
                            + ", "
                            + to
                            + ")");
        }
        return new RowRange(source, from, to - from);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int latentDim() {
        return source.latentDim();
    }

    @Override
    public int conditionDim() {
        return source.conditionDim();
    }

    @Override
    public void read(
            long row, float[] latent, int latentOffset, float[] condition, int conditionOffset) {
        if (row < 0 || row >= size) {
            throw new IndexOutOfBoundsException("row must be in [0, " + size + "), got " + row);
        }
        source.read(from + row, latent, latentOffset, condition, conditionOffset);
    }
}
