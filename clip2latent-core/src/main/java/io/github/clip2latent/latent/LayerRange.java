package io.github.clip2latent.latent;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A half-open range {@code [start, end)} of StyleGAN synthesis layers (rows of ws).
 *
 * @param start first layer, >= 0
 * @param end one past the last layer, > start
 */
public record LayerRange(int start, int end) {

    /** Validates. */
    public LayerRange {
        checkArgument(
                start >= 0 && end > start,
                "layer range must satisfy 0 <= start < end, got [%s, %s)",
                start,
                end);
    }

    /** Every layer of a generator with {@code numWs} layers. */
    public static LayerRange all(int numWs) {
        return new LayerRange(0, numWs);
    }

    /** Layers {@code start .. numWs-1}. */
    public static LayerRange from(int start, int numWs) {
        return new LayerRange(start, numWs);
    }

    /** Whether {@code layer} is in the range. */
    public boolean contains(int layer) {
        return layer >= start && layer < end;
    }

    /** Checks the range fits a generator with {@code numWs} layers. */
    public LayerRange checkWithin(int numWs) {
        checkArgument(
                end <= numWs,
                "layer range [%s, %s) exceeds the generator's %s layers",
                start,
                end,
                numWs);
        return this;
    }
}
