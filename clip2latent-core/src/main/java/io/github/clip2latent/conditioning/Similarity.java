package io.github.clip2latent.conditioning;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Cosine similarity between embeddings, the CLIP score used for re-ranking (reference section 4).
 */
public final class Similarity {

    private Similarity() {}

    /** Cosine similarity of two whole vectors of equal length; 0 if either is zero. */
    public static double cosine(float[] a, float[] b) {
        checkArgument(
                a.length == b.length, "vectors differ in length: %s and %s", a.length, b.length);
        return cosine(a, 0, b, 0, a.length);
    }

    /**
     * Cosine similarity of {@code a[aOffset ..+dim)} and {@code b[bOffset ..+dim)}, in float64; 0
     * if either is zero.
     */
    public static double cosine(float[] a, int aOffset, float[] b, int bOffset, int dim) {
        checkArgument(
                aOffset >= 0
                        && aOffset + dim <= a.length
                        && bOffset >= 0
                        && bOffset + dim <= b.length,
                "slice out of range: a[%s..+%s) of %s, b[%s..+%s) of %s",
                aOffset,
                dim,
                a.length,
                bOffset,
                dim,
                b.length);
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < dim; i++) {
            double x = a[aOffset + i];
            double y = b[bOffset + i];
            dot += x * y;
            aa += x * x;
            bb += y * y;
        }
        return aa == 0 || bb == 0 ? 0 : dot / Math.sqrt(aa * bb);
    }
}
