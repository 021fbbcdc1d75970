package io.github.clip2latent.convert;

/**
 * The error measure of the golden comparisons (the issues' bound): the maximum absolute difference
 * divided by the maximum magnitude of the golden values.
 */
public final class RelativeError {

    private RelativeError() {}

    /**
     * The maximum of {@code |golden[i] - got[i]|} over the maximum of {@code |golden[i]|}.
     *
     * @throws IllegalArgumentException when the lengths differ
     */
    public static double of(float[] golden, float[] got) {
        if (golden.length != got.length) {
            throw new IllegalArgumentException(
                    "length: golden " + golden.length + ", got " + got.length);
        }
        double maxDiff = 0;
        double scale = 0;
        for (int i = 0; i < golden.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) golden[i] - got[i]));
            scale = Math.max(scale, Math.abs(golden[i]));
        }
        return maxDiff / scale;
    }
}
