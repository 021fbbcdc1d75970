package io.github.clip2latent.latent;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;

/**
 * A latent edit direction, either one vector of width D added to every chosen layer, or a per-layer
 * direction {@code [numWs, D]} (reference section 6: {@code ws += strength * direction}).
 *
 * <p>Immutable: the values are copied in and out.
 *
 * @param values {@code [D]} or {@code [layers, D]}, row-major
 * @param layers 0 for a single vector, else the number of layers the direction covers
 * @param dim the latent width D
 */
public record EditDirection(float[] values, int layers, int dim) {

    /** Validates and copies. */
    public EditDirection {
        checkNotNull(values, "values");
        checkArgument(dim >= 1, "direction dim must be >= 1, got %s", dim);
        checkArgument(layers >= 0, "direction layers must be >= 0, got %s", layers);
        int expected = layers == 0 ? dim : layers * dim;
        checkArgument(
                values.length == expected,
                "direction has %s values, expected %s for shape %s",
                values.length,
                expected,
                layers == 0 ? "(" + dim + ")" : "(" + layers + ", " + dim + ")");
        for (int i = 0; i < values.length; i++) {
            checkArgument(
                    Float.isFinite(values[i]),
                    "direction value %s is not finite: %s",
                    i,
                    (Object) values[i]);
        }
        values = values.clone();
    }

    /** A single direction {@code [D]} applied to each chosen layer. */
    public static EditDirection ofVector(float[] direction) {
        return new EditDirection(direction, 0, direction.length);
    }

    /** A per-layer direction {@code [numWs, D]}. */
    public static EditDirection ofLayers(float[] direction, int numWs, int dim) {
        checkArgument(numWs >= 1, "per-layer direction needs numWs >= 1, got %s", numWs);
        return new EditDirection(direction, numWs, dim);
    }

    /**
     * The difference of the means of two sets of latents, {@code mean(positive) - mean(negative)}
     * (paper Appendix F: sample latents for a positive and a negative prompt and subtract their
     * means).
     *
     * @param positive {@code [positiveRows, dim]}
     * @param negative {@code [negativeRows, dim]}
     */
    public static EditDirection differenceOfMeans(
            float[] positive, int positiveRows, float[] negative, int negativeRows, int dim) {
        double[] pos = columnMeans(positive, positiveRows, dim, "positive");
        double[] neg = columnMeans(negative, negativeRows, dim, "negative");
        float[] direction = new float[dim];
        for (int d = 0; d < dim; d++) {
            direction[d] = (float) (pos[d] - neg[d]);
        }
        return ofVector(direction);
    }

    private static double[] columnMeans(float[] values, int rows, int dim, String what) {
        checkArgument(rows >= 1, "%s set needs at least one latent, got %s", what, rows);
        checkArgument(
                values.length >= rows * dim,
                "%s set has %s values, need rows x dim = %s x %s",
                what,
                values.length,
                rows,
                dim);
        double[] mean = new double[dim];
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < dim; d++) {
                mean[d] += values[r * dim + d];
            }
        }
        for (int d = 0; d < dim; d++) {
            mean[d] /= rows;
        }
        return mean;
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    /** Whether this is one vector shared by every chosen layer. */
    public boolean isVector() {
        return layers == 0;
    }

    /**
     * Adds {@code strength * direction} to the chosen layers of ws, in place; other layers are
     * untouched.
     *
     * @param ws {@code [rows, numWs, D]}
     */
    public void applyInPlace(float[] ws, int rows, int numWs, float strength, LayerRange range) {
        range.checkWithin(numWs);
        checkArgument(Float.isFinite(strength), "edit strength must be finite, got %s", strength);
        checkArgument(
                layers == 0 || layers == numWs,
                "direction covers %s layers but the generator has %s",
                layers,
                numWs);
        checkArgument(
                ws.length >= rows * numWs * dim,
                "ws has %s values, need rows x numWs x dim = %s x %s x %s",
                ws.length,
                rows,
                numWs,
                dim);
        for (int r = 0; r < rows; r++) {
            for (int l = range.start(); l < range.end(); l++) {
                int target = (r * numWs + l) * dim;
                int source = layers == 0 ? 0 : l * dim;
                for (int d = 0; d < dim; d++) {
                    ws[target + d] += strength * values[source + d];
                }
            }
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EditDirection that
                && layers == that.layers
                && dim == that.dim
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(values) + layers) + dim;
    }

    @Override
    public String toString() {
        return "EditDirection["
                + (layers == 0 ? "(" + dim + ")" : "(" + layers + ", " + dim + ")")
                + "]";
    }
}
