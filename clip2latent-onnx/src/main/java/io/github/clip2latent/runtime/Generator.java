package io.github.clip2latent.runtime;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.bundle.StageContract;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * The StyleGAN stage: mapping ({@code z -> w}) and synthesis ({@code ws -> image}) graphs
 * (reference section 6). A StyleGAN2 synthesis with noise also takes one noise input per layer and
 * the constant-noise scale (see {@link StageContract#noiseInputs}), fed from {@link NoiseBuffers}.
 * Thread-safe; owns both sessions.
 */
public final class Generator implements AutoCloseable {

    private final StageSession mapping;
    private final StageSession synthesis;
    private final int zDim;
    private final int latentDim;
    private final int numWs;
    private final int imageSize;
    private final String[] noiseNames;
    private final int[] noiseResolutions;
    private final ModelBundle bundle;
    private final SessionFactory sessions;
    private final Object previewLock = new Object();
    private StageSession preview; // opened on first use, guarded by previewLock
    // Zero noise with the constant scale 1 for synthesize(ws, rows), grown to the largest batch
    // seen (guarded by previewLock when replaced); never written, so shared by every call.
    private volatile NoiseBuffers constNoise;
    private boolean closed; // guarded by previewLock

    private Generator(
            ModelBundle bundle,
            SessionFactory sessions,
            StageSession mapping,
            StageSession synthesis,
            int zDim,
            int latentDim,
            int numWs,
            int imageSize) {
        this.bundle = bundle;
        this.sessions = sessions;
        this.mapping = mapping;
        this.synthesis = synthesis;
        this.zDim = zDim;
        this.latentDim = latentDim;
        this.numWs = numWs;
        this.imageSize = imageSize;
        Map<String, Integer> noise = StageContract.declaredNoise(synthesis.spec());
        this.noiseNames = noise.keySet().toArray(String[]::new);
        this.noiseResolutions = noise.values().stream().mapToInt(Integer::intValue).toArray();
    }

    /** Opens and validates the mapping and synthesis graphs of a bundle. */
    public static Generator open(ModelBundle bundle, SessionFactory sessions)
            throws BundleException {
        StageSession mapping = sessions.open(bundle, Stage.MAPPING);
        try {
            StageSession synthesis = sessions.open(bundle, Stage.SYNTHESIS);
            var m = bundle.manifest();
            return new Generator(
                    bundle,
                    sessions,
                    mapping,
                    synthesis,
                    m.zDim(),
                    m.latentDim(),
                    m.numWs(),
                    m.imageSize());
        } catch (Throwable e) {
            mapping.close();
            throw e;
        }
    }

    /** Width of z. */
    public int zDim() {
        return zDim;
    }

    /** Width of w. */
    public int latentDim() {
        return latentDim;
    }

    /** Synthesis layers. */
    public int numWs() {
        return numWs;
    }

    /** Output height and width. */
    public int imageSize() {
        return imageSize;
    }

    /** The mapping network, {@code z [rows, zDim] -> w [rows, D]} (psi = 1). */
    public float[] map(float[] z, int rows) {
        checkArgument(
                rows >= 1 && z.length == rows * zDim,
                "z has %s values, expected %s rows x %s",
                z.length,
                rows,
                zDim);
        return mapping.runFloat(z, new long[] {rows, zDim});
    }

    /**
     * The resolutions of the synthesis network's noise layers, in input order (the reference's
     * drawing order); empty for a generator without noise inputs.
     */
    public int[] noiseResolutions() {
        return noiseResolutions.clone();
    }

    /** Whether the synthesis graph takes noise inputs (StyleGAN2 with noise layers). */
    public boolean hasNoise() {
        return noiseNames.length > 0;
    }

    /**
     * The synthesis network, {@code ws [rows, numWs, D] -> images [rows, 3, H, W]}; a generator
     * with noise uses its stored constant noise (the reference's {@code noise_mode='const'}), so
     * the result depends on {@code ws} alone.
     */
    public float[] synthesize(float[] ws, int rows) {
        checkWs(ws, rows);
        if (!hasNoise()) {
            return synthesis.runFloat(ws, new long[] {rows, numWs, latentDim});
        }
        return runSynthesis(synthesis, ws, rows, numWs, constNoise(rows), noiseNames.length);
    }

    /** Zero noise buffers with constant scale 1 for at least {@code rows} rows, made once. */
    private NoiseBuffers constNoise(int rows) {
        NoiseBuffers zeros = constNoise;
        if (zeros == null || zeros.capacity() < rows) {
            synchronized (previewLock) {
                zeros = constNoise;
                if (zeros == null || zeros.capacity() < rows) {
                    zeros = NoiseBuffers.zeros(noiseResolutions, rows, 1f);
                    constNoise = zeros;
                }
            }
        }
        return zeros;
    }

    /**
     * The synthesis network with the given noise: each noise layer adds {@code (noise + noise_const
     * * constScale) * noise_strength}. A generator without noise inputs ignores {@code noise}.
     *
     * @param ws {@code [rows, numWs, D]}
     * @param rows batch rows
     * @param noise buffers for this generator's {@link #noiseResolutions()}, filled for {@code
     *     rows} rows
     * @return {@code [rows, 3, H, W]}
     */
    public float[] synthesize(float[] ws, int rows, NoiseBuffers noise) {
        checkWs(ws, rows);
        if (!hasNoise()) {
            return synthesis.runFloat(ws, new long[] {rows, numWs, latentDim});
        }
        checkArgument(
                java.util.Arrays.equals(noise.resolutionsView(), noiseResolutions),
                "noise buffers for layers %s, the synthesis graph's noise layers have %s",
                java.util.Arrays.toString(noise.resolutionsView()),
                java.util.Arrays.toString(noiseResolutions));
        checkArgument(
                noise.rows() == rows, "noise buffers hold %s rows, ws %s rows", noise.rows(), rows);
        return runSynthesis(synthesis, ws, rows, numWs, noise, noiseNames.length);
    }

    /** Feeds ws, the first {@code layers} noise layers and the scale to {@code session}. */
    private float[] runSynthesis(
            StageSession session,
            float[] ws,
            int rows,
            int wsRows,
            NoiseBuffers noise,
            int layers) {
        int n = layers + 2;
        String[] names = new String[n];
        FloatBuffer[] values = new FloatBuffer[n];
        long[][] shapes = new long[n][];
        names[0] = session.input(0);
        values[0] = FloatBuffer.wrap(ws);
        shapes[0] = new long[] {rows, wsRows, latentDim};
        for (int i = 0; i < layers; i++) {
            int r = noiseResolutions[i];
            names[i + 1] = session.input(i + 1);
            values[i + 1] = noise.layer(i, rows);
            shapes[i + 1] = new long[] {rows, 1, r, r};
        }
        names[n - 1] = session.input(n - 1);
        values[n - 1] = FloatBuffer.wrap(new float[] {noise.constScale()});
        shapes[n - 1] = new long[] {1};
        return session.runFloats(names, values, shapes, rows);
    }

    /** Whether the bundle has a preview synthesis ({@link Stage#SYNTHESIS_PREVIEW}). */
    public boolean hasPreview() {
        return bundle.manifest().hasStage(Stage.SYNTHESIS_PREVIEW);
    }

    /** The preview's image size, or 0 without a preview synthesis. */
    public int previewSize() {
        return hasPreview()
                ? (int) bundle.manifest().stage(Stage.SYNTHESIS_PREVIEW).outputs().get(0).dim(2)
                : 0;
    }

    /**
     * The preview synthesis: the same network stopped at {@link #previewSize()} (StyleGAN2 skip
     * architecture: the image accumulated up to that block), on the first rows of {@code ws} and
     * the first noise layers of {@code noise}: with the same ws and noise, the coarse start of what
     * {@link #synthesize(float[], int, NoiseBuffers)} renders. Its session opens on first use.
     *
     * @param ws the full ws {@code [rows, numWs, D]}
     * @param rows batch rows
     * @param noise as for {@link #synthesize(float[], int, NoiseBuffers)}
     * @return {@code [rows, 3, P, P]}
     * @throws IllegalStateException if the bundle has no preview synthesis
     */
    public float[] synthesizePreview(float[] ws, int rows, NoiseBuffers noise) {
        checkWs(ws, rows);
        StageSession session = previewSession();
        int k = (int) session.spec().inputs().get(0).dim(1);
        float[] head = new float[rows * k * latentDim];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(ws, r * numWs * latentDim, head, r * k * latentDim, k * latentDim);
        }
        int layers = StageContract.declaredNoise(session.spec()).size();
        if (layers == 0) {
            return session.runFloat(head, new long[] {rows, k, latentDim});
        }
        checkArgument(
                noise.rows() == rows && noise.layerCount() == noiseResolutions.length,
                "noise buffers hold %s rows of %s layers, expected %s rows of %s",
                noise.rows(),
                noise.layerCount(),
                rows,
                noiseResolutions.length);
        return runSynthesis(session, head, rows, k, noise, layers);
    }

    private StageSession previewSession() {
        synchronized (previewLock) {
            if (closed) {
                throw new IllegalStateException("the generator is closed");
            }
            if (preview == null) {
                if (!hasPreview()) {
                    throw new IllegalStateException(
                            "bundle "
                                    + bundle.directory()
                                    + " has no preview synthesis (stage "
                                    + Stage.SYNTHESIS_PREVIEW.key()
                                    + "); import the StyleGAN2 generator again to get one");
                }
                try {
                    preview = sessions.open(bundle, Stage.SYNTHESIS_PREVIEW);
                } catch (BundleException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
            return preview;
        }
    }

    private void checkWs(float[] ws, int rows) {
        checkArgument(
                rows >= 1 && ws.length == rows * numWs * latentDim,
                "ws has %s values, expected %s x %s x %s",
                ws.length,
                rows,
                numWs,
                latentDim);
    }

    @Override
    public void close() {
        StageSession openedPreview;
        synchronized (previewLock) {
            closed = true;
            openedPreview = preview;
        }
        try {
            if (openedPreview != null) {
                openedPreview.close();
            }
            synthesis.close();
        } finally {
            mapping.close();
        }
    }
}
