package io.github.clip2latent.latent;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The truncation trick, {@code w = center + psi (w - center)} (reference section 4). The reference
 * centers on the training mean of w ({@link LatentStats#mean()}), not on StyleGAN's own {@code
 * w_avg}; either can be passed.
 */
public final class Truncation {

    private Truncation() {}

    /**
     * Truncates the first {@code rows} rows of {@code w} towards {@code center}, in place.
     *
     * @param w {@code [rows, D]}
     * @param center {@code [D]}
     * @param psi in [0, 1]: 1 is the identity, 0 gives the center
     */
    public static void applyInPlace(float[] w, int rows, float[] center, float psi) {
        checkArgument(psi >= 0 && psi <= 1, "truncation psi must be in [0, 1], got %s", psi);
        int dim = center.length;
        checkArgument(
                w.length >= rows * dim,
                "w has %s values, need rows x dim = %s x %s",
                w.length,
                rows,
                dim);
        for (int r = 0; r < rows; r++) {
            for (int d = 0, i = r * dim; d < dim; d++, i++) {
                // psi w + (1 - psi) c equals c + psi (w - c) and is exact at psi = 0 and 1.
                w[i] = psi * w[i] + (1 - psi) * center[d];
            }
        }
    }
}
