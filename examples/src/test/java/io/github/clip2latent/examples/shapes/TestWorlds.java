package io.github.clip2latent.examples.shapes;

import java.util.SplittableRandom;

/** One shared world and helpers for the tests; making a world costs a few hundred milliseconds. */
final class TestWorlds {

    static final long SEED = 7;
    static final ShapesWorld WORLD = ShapesWorld.create(SEED);
    static final int PLANE = ShapesWorld.IMAGE_SIZE * ShapesWorld.IMAGE_SIZE;
    static final int WS_SIZE = ShapesWorld.NUM_WS * ShapesWorld.W_DIM;

    private TestWorlds() {}

    /** {@code rows} w from seeded z. */
    static float[] sampleW(long seed, int rows) {
        return WORLD.map(ShapesWorld.sampleZ(new SplittableRandom(seed), rows), rows);
    }

    /** Row {@code r} of a [rows, W_DIM] array. */
    static float[] row(float[] w, int r) {
        float[] out = new float[ShapesWorld.W_DIM];
        System.arraycopy(w, r * ShapesWorld.W_DIM, out, 0, ShapesWorld.W_DIM);
        return out;
    }

    /**
     * The library's 8-bit quantization, {@code floor(127.5 (clamp(x, -1, 1) + 1))} (reference
     * section 5).
     */
    static int level(float x) {
        return Math.min(255, (int) Math.floor(127.5 * (Math.max(-1f, Math.min(1f, x)) + 1)));
    }

    /**
     * The 8-bit RGB of the pixel nearest to (x, y) in image {@code r} of [rows, 3, H, W] images.
     */
    static int[] pixel(float[] images, int r, double x, double y) {
        int col = Math.min(ShapesWorld.IMAGE_SIZE - 1, (int) Math.floor(x));
        int row = Math.min(ShapesWorld.IMAGE_SIZE - 1, (int) Math.floor(y));
        int[] out = new int[3];
        for (int c = 0; c < 3; c++) {
            out[c] = level(images[(r * 3 + c) * PLANE + row * ShapesWorld.IMAGE_SIZE + col]);
        }
        return out;
    }

    /** Largest per-channel difference, in 8-bit levels, between a pixel and a palette color. */
    static int distance(int[] rgb, PaletteColor color) {
        int max = 0;
        for (int c = 0; c < 3; c++) {
            max = Math.max(max, Math.abs(rgb[c] - color.level(c)));
        }
        return max;
    }
}
