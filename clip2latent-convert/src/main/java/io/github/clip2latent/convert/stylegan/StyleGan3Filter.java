package io.github.clip2latent.convert.stylegan;

/**
 * A stored FIR filter of a StyleGAN3 layer ({@code up_filter} or {@code down_filter}): separable
 * ({@code [taps]}, applied along width then height) or radially symmetric ({@code [taps, taps]},
 * the R configuration's down-sampling filter). An absent filter ({@code None} in the pickle) is the
 * identity and is represented by {@code null} where a filter is expected.
 *
 * @param taps the coefficients as stored, row-major
 * @param size the number of taps along each axis
 * @param separable whether the stored tensor is 1-D
 */
record StyleGan3Filter(float[] taps, int size, boolean separable) {

    /**
     * The coefficients flipped along every axis and scaled for {@code upfirdn2d}: the reference
     * multiplies by {@code gain ** (f.ndim / 2)} and flips unless {@code flip_filter}
     * (upfirdn2d.py, _upfirdn2d_ref "Setup filter"), then correlates.
     *
     * @param gain the {@code upfirdn2d} gain ({@code up ** 2} when up-sampling, else 1)
     * @return flipped, scaled taps in the stored layout
     */
    float[] flippedScaled(double gain) {
        float scale = (float) Math.pow(gain, separable ? 0.5 : 1.0);
        float[] out = new float[taps.length];
        for (int i = 0; i < taps.length; i++) {
            out[taps.length - 1 - i] = taps[i] * scale;
        }
        return out;
    }
}
