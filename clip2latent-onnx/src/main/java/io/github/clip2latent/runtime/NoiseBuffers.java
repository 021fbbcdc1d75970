package io.github.clip2latent.runtime;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The per-layer noise fed to a StyleGAN2 synthesis graph for up to {@link #capacity()} rows: one
 * direct buffer {@code [rows, 1, r, r]} per noise layer plus the weight of the stored constant
 * noise (NVIDIA {@code SynthesisLayer.forward}: {@code x += (noise + noise_const *
 * noise_const_scale) * noise_strength}). Allocated once per sampling call and refilled chunk after
 * chunk, so the hot path allocates nothing; ONNX Runtime reads direct buffers without a copy.
 *
 * <p>The reference's modes: {@code 'random'} is {@link #fillNormal} with scale 0, {@code 'const'}
 * is {@link #fillZeros} with scale 1, {@code 'none'} is {@link #fillZeros} with scale 0. Buffers
 * made by {@link #zeros} hold no per-layer storage: every layer reads one shared zero buffer (at
 * 1024 x 1024 a row of StyleGAN2 noise is 2.8 M values, of which the largest layer is 1 M).
 *
 * <p>Not thread-safe: one instance per call.
 */
public final class NoiseBuffers {

    private final int[] resolutions;
    private final int capacity;

    /** Per-layer storage, or every entry the same shared zero buffer. */
    private final FloatBuffer[] layers;

    private final boolean zerosOnly;
    private float constScale;
    private int rows;

    private NoiseBuffers(int[] resolutions, int capacity, boolean zerosOnly) {
        checkArgument(capacity >= 1, "capacity must be >= 1, got %s", capacity);
        this.resolutions = resolutions.clone();
        this.capacity = capacity;
        this.zerosOnly = zerosOnly;
        this.layers = new FloatBuffer[resolutions.length];
        FloatBuffer shared = null;
        for (int i = 0; i < resolutions.length; i++) {
            int r = resolutions[i];
            checkArgument(r >= 1, "noise layer %s has resolution %s", i, r);
            if (zerosOnly) {
                if (shared == null || shared.capacity() < capacity * r * r) {
                    shared = direct(capacity, Arrays.stream(resolutions).max().getAsInt());
                }
                layers[i] = shared;
            } else {
                layers[i] = direct(capacity, r);
            }
        }
        this.rows = capacity;
    }

    private static FloatBuffer direct(int rows, int r) {
        long bytes = (long) rows * r * r * Float.BYTES;
        checkArgument(
                bytes <= Integer.MAX_VALUE,
                "noise of %s rows at %sx%s needs %s bytes, more than one buffer holds",
                rows,
                r,
                r,
                bytes);
        // Direct memory starts zeroed.
        return ByteBuffer.allocateDirect((int) bytes)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    /**
     * Buffers for the noise layers of a generator.
     *
     * @param resolutions each noise layer's resolution, in the graph's input order ({@link
     *     Generator#noiseResolutions()})
     * @param capacity the most rows one run takes
     * @return zero-filled buffers for {@code capacity} rows, constant-noise scale 0
     */
    public static NoiseBuffers allocate(int[] resolutions, int capacity) {
        return new NoiseBuffers(resolutions, capacity, false);
    }

    /**
     * Zero noise for up to {@code capacity} rows, all layers reading one shared buffer: for the
     * {@code 'const'} and {@code 'none'} modes, which need no draws. Only {@link #fillZeros}
     * applies to it.
     *
     * @param resolutions each noise layer's resolution, in the graph's input order
     * @param capacity the most rows one run takes
     * @param constScale weight of the stored constant noise (1 {@code 'const'}, 0 {@code 'none'})
     * @return buffers set to {@code capacity} rows
     */
    public static NoiseBuffers zeros(int[] resolutions, int capacity, float constScale) {
        NoiseBuffers b = new NoiseBuffers(resolutions, capacity, true);
        b.constScale = constScale;
        return b;
    }

    /** The most rows these buffers hold. */
    public int capacity() {
        return capacity;
    }

    /** Rows filled by the last fill or copy. */
    public int rows() {
        return rows;
    }

    /** Number of noise layers. */
    public int layerCount() {
        return resolutions.length;
    }

    /** Weight of the generator's stored constant noise: 1 for {@code 'const'}, else 0. */
    public float constScale() {
        return constScale;
    }

    /**
     * Fresh N(0, 1) draws for {@code rows} rows, row after row (each row all its layers in order),
     * so the draws of a row depend only on the rows drawn before it from {@code random}, not on how
     * rows are grouped into runs. The constant-noise scale becomes 0 ({@code 'random'}).
     *
     * @param random the seeded stream
     * @param rows rows to fill, at most {@link #capacity()}
     */
    public void fillNormal(RandomGenerator random, int rows) {
        checkWritable();
        checkRows(rows);
        for (int row = 0; row < rows; row++) {
            for (int i = 0; i < layers.length; i++) {
                int n = resolutions[i] * resolutions[i];
                FloatBuffer b = layers[i];
                for (int k = 0, at = row * n; k < n; k++, at++) {
                    b.put(at, (float) random.nextGaussian());
                }
            }
        }
        this.rows = rows;
        this.constScale = 0f;
    }

    /**
     * Zero per-layer noise for {@code rows} rows, with the stored constant noise weighed by {@code
     * constScale}: 1 is the reference's {@code 'const'}, 0 its {@code 'none'}.
     */
    public void fillZeros(int rows, float constScale) {
        checkRows(rows);
        for (int i = 0; i < layers.length && !zerosOnly; i++) {
            FloatBuffer b = layers[i];
            for (int k = 0, n = rows * resolutions[i] * resolutions[i]; k < n; k++) {
                b.put(k, 0f);
            }
        }
        this.rows = rows;
        this.constScale = constScale;
    }

    /**
     * Sets the noise to given values, e.g. recorded draws: layer {@code i} takes {@code values[i]},
     * {@code [rows, 1, r, r]} row-major.
     *
     * @param values one array per layer, each {@code rows * r * r} long
     * @param rows rows given, at most {@link #capacity()}
     * @param constScale weight of the stored constant noise
     */
    public void set(float[][] values, int rows, float constScale) {
        checkWritable();
        checkRows(rows);
        checkArgument(
                values.length == layers.length,
                "%s noise arrays for %s noise layers",
                values.length,
                layers.length);
        for (int i = 0; i < layers.length; i++) {
            int n = rows * resolutions[i] * resolutions[i];
            checkArgument(
                    values[i].length == n,
                    "noise layer %s has %s values, expected %s x 1 x %s x %s",
                    i,
                    values[i].length,
                    rows,
                    resolutions[i],
                    resolutions[i]);
            layers[i].put(0, values[i], 0, n);
        }
        this.rows = rows;
        this.constScale = constScale;
    }

    /**
     * Sets these buffers to the chosen rows of {@code source} (same layers), in order, with its
     * constant-noise scale: the noise of re-ranking winners, equal to that of their candidates.
     *
     * @param source buffers with the same layers
     * @param sourceRows row indices of {@code source}, each below {@code source.rows()}
     */
    public void copyRows(NoiseBuffers source, int[] sourceRows) {
        checkWritable();
        checkArgument(
                Arrays.equals(resolutions, source.resolutions),
                "noise layers differ: %s vs %s",
                Arrays.toString(resolutions),
                Arrays.toString(source.resolutions));
        checkRows(sourceRows.length);
        for (int i = 0; i < layers.length; i++) {
            int n = resolutions[i] * resolutions[i];
            FloatBuffer from = source.layer(i);
            FloatBuffer to = layers[i];
            for (int j = 0; j < sourceRows.length; j++) {
                int s = sourceRows[j];
                checkArgument(s >= 0 && s < source.rows, "row %s of %s noise rows", s, source.rows);
                to.put(j * n, from, s * n, n);
            }
        }
        this.rows = sourceRows.length;
        this.constScale = source.constScale;
    }

    /**
     * The filled rows of layer {@code i} as a direct buffer (a view, position 0, {@code rows * r *
     * r} values remaining).
     */
    FloatBuffer layer(int i) {
        return layer(i, rows);
    }

    /**
     * The first {@code count} filled rows of layer {@code i} as a direct buffer (a view); lets
     * read-only buffers such as {@link #zeros} serve any smaller batch.
     */
    FloatBuffer layer(int i, int count) {
        checkArgument(
                count >= 1 && count <= rows, "%s rows asked of %s filled noise rows", count, rows);
        return layers[i]
                .duplicate()
                .position(0)
                .limit(count * resolutions[i] * resolutions[i])
                .slice();
    }

    /** The values of layer {@code i} for the filled rows, copied (for tests and diagnostics). */
    public float[] values(int i) {
        FloatBuffer b = layer(i);
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    /** The layers' resolutions, not copied: callers must not change it. */
    int[] resolutionsView() {
        return resolutions;
    }

    private void checkWritable() {
        if (zerosOnly) {
            throw new IllegalStateException(
                    "these noise buffers hold zeros only (NoiseBuffers.zeros); use"
                            + " NoiseBuffers.allocate for drawn, given or copied noise");
        }
    }

    private void checkRows(int value) {
        checkArgument(
                value >= 1 && value <= capacity,
                "rows must be in [1, %s], got %s",
                capacity,
                value);
    }
}
