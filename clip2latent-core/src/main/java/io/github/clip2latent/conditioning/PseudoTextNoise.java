package io.github.clip2latent.conditioning;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.random.RandomGenerator;

/**
 * Pseudo-text augmentation of image embeddings (paper Appendix A.1, reference section 2): the
 * direction is perturbed and the norm kept, {@code u = c/|c|}, {@code n = r/|r|} with {@code r ~
 * N(0, I)}, {@code v = u + alpha n}, {@code c' = |c| v/|v|}. The published models use {@code alpha
 * = 1.0}; 0 disables it. In D dimensions the expected cosine between c and c' is about {@code
 * 1/sqrt(1 + alpha^2)}.
 *
 * @param alpha the noise scale, finite and >= 0
 */
public record PseudoTextNoise(double alpha) {

    /** The published models' scale. */
    public static final double PAPER_ALPHA = 1.0;

    /** Validates. */
    public PseudoTextNoise {
        checkArgument(
                Double.isFinite(alpha) && alpha >= 0,
                "pseudo-text alpha must be finite and >= 0, got %s",
                alpha);
    }

    /**
     * Perturbs the first {@code rows} rows of {@code conditions} in place. Zero rows stay zero.
     * Draws exactly {@code dim} normals per row (none if alpha is 0).
     *
     * @param conditions {@code [rows, dim]}
     */
    public void applyInPlace(float[] conditions, int rows, int dim, RandomGenerator random) {
        checkArgument(
                conditions.length >= rows * dim,
                "conditions have %s values, need rows x dim = %s x %s",
                conditions.length,
                rows,
                dim);
        if (alpha == 0) {
            return;
        }
        double[] noise = new double[dim];
        for (int r = 0; r < rows; r++) {
            int offset = r * dim;
            double noiseNorm = 0;
            for (int d = 0; d < dim; d++) {
                noise[d] = random.nextGaussian();
                noiseNorm += noise[d] * noise[d];
            }
            noiseNorm = Math.sqrt(noiseNorm);
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                norm += (double) conditions[offset + d] * conditions[offset + d];
            }
            norm = Math.sqrt(norm);
            if (norm == 0 || noiseNorm == 0) {
                continue;
            }
            double perturbedNorm = 0;
            for (int d = 0; d < dim; d++) {
                noise[d] =
                        conditions[offset + d] / norm
                                + alpha * noise[d] / noiseNorm; // v = u + alpha n
                perturbedNorm += noise[d] * noise[d];
            }
            double scale = norm / Math.sqrt(perturbedNorm); // c' = |c| v / |v|
            for (int d = 0; d < dim; d++) {
                conditions[offset + d] = (float) (noise[d] * scale);
            }
        }
    }
}
