package io.github.clip2latent.diffusion;

import java.util.random.RandomGenerator;

/** Draws standard normal noise from a caller-owned generator; there is no global random state. */
public final class StandardNormal {

    private StandardNormal() {}

    /** Fills {@code out[offset .. offset+count)} with N(0, 1) samples, in index order. */
    public static void fill(RandomGenerator random, float[] out, int offset, int count) {
        for (int i = offset, end = offset + count; i < end; i++) {
            out[i] = (float) random.nextGaussian();
        }
    }

    /** A new array of {@code count} N(0, 1) samples. */
    public static float[] sample(RandomGenerator random, int count) {
        float[] out = new float[count];
        fill(random, out, 0, count);
        return out;
    }
}
