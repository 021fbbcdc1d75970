package io.github.clip2latent.latent;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Per-dimension mean and standard deviation of the training w latents, used to z-score them
 * (reference section 2: {@code x0 = (w - latent_mean) / latent_std}; section 4: {@code w = x *
 * latent_std + latent_mean}).
 *
 * <p>The arrays are copied on the way in and out, so a record instance is immutable.
 *
 * @param mean per-dimension mean, length D
 * @param std per-dimension standard deviation, length D, every value finite and > 0
 */
public record LatentStats(float[] mean, float[] std) {

    /** Validates and copies. */
    public LatentStats {
        checkNotNull(mean, "mean");
        checkNotNull(std, "std");
        checkArgument(
                mean.length == std.length && mean.length > 0,
                "latent mean and std must have the same non-zero length, got %s and %s",
                mean.length,
                std.length);
        for (int i = 0; i < std.length; i++) {
            checkArgument(
                    Float.isFinite(mean[i]),
                    "latent mean[%s] is not finite: %s",
                    i,
                    (Object) mean[i]);
            checkArgument(
                    Float.isFinite(std[i]) && std[i] > 0,
                    "latent std[%s] must be finite and > 0, got %s",
                    i,
                    (Object) std[i]);
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * Estimates the stats from the first {@code rows} rows of {@code w}: mean and unbiased ({@code
     * n - 1}) standard deviation per dimension, accumulated in float64 (reference section 2).
     *
     * @param w {@code [rows, dim]}, rows >= 2
     */
    public static LatentStats estimate(float[] w, int rows, int dim) {
        checkArgument(rows >= 2, "need at least 2 rows to estimate an unbiased std, got %s", rows);
        checkArgument(
                dim >= 1 && w.length >= rows * dim,
                "w has %s values, need rows x dim = %s x %s",
                w.length,
                rows,
                dim);
        double[] sum = new double[dim];
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < dim; d++) {
                sum[d] += w[r * dim + d];
            }
        }
        float[] mean = new float[dim];
        double[] m = new double[dim];
        for (int d = 0; d < dim; d++) {
            m[d] = sum[d] / rows;
            mean[d] = (float) m[d];
        }
        double[] squares = new double[dim];
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < dim; d++) {
                double diff = w[r * dim + d] - m[d];
                squares[d] += diff * diff;
            }
        }
        float[] std = new float[dim];
        for (int d = 0; d < dim; d++) {
            std[d] = (float) Math.sqrt(squares[d] / (rows - 1));
        }
        return new LatentStats(mean, std);
    }

    /** The latent width D. */
    public int dim() {
        return mean.length;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** {@code w = (w - mean) / std} for the first {@code rows} rows, in place. */
    public void normalizeInPlace(float[] w, int rows) {
        checkRows(w, rows);
        int dim = mean.length;
        for (int r = 0; r < rows; r++) {
            for (int d = 0, i = r * dim; d < dim; d++, i++) {
                w[i] = (w[i] - mean[d]) / std[d];
            }
        }
    }

    /** {@code x = x * std + mean} for the first {@code rows} rows, in place. */
    public void denormalizeInPlace(float[] x, int rows) {
        checkRows(x, rows);
        int dim = mean.length;
        for (int r = 0; r < rows; r++) {
            for (int d = 0, i = r * dim; d < dim; d++, i++) {
                x[i] = x[i] * std[d] + mean[d];
            }
        }
    }

    private void checkRows(float[] values, int rows) {
        checkArgument(
                rows >= 0 && values.length >= rows * mean.length,
                "array has %s values, need rows x dim = %s x %s",
                values.length,
                rows,
                mean.length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LatentStats that
                && java.util.Arrays.equals(mean, that.mean)
                && java.util.Arrays.equals(std, that.std);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(mean) + java.util.Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "LatentStats[dim=" + mean.length + "]";
    }
}
