package io.github.clip2latent.runtime;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;

/**
 * The StyleGAN stage: mapping ({@code z -> w}) and synthesis ({@code ws -> image}) graphs
 * (reference section 6). Thread-safe; owns both sessions.
 */
public final class Generator implements AutoCloseable {

    private final StageSession mapping;
    private final StageSession synthesis;
    private final int zDim;
    private final int latentDim;
    private final int numWs;
    private final int imageSize;

    private Generator(
            StageSession mapping,
            StageSession synthesis,
            int zDim,
            int latentDim,
            int numWs,
            int imageSize) {
        this.mapping = mapping;
        this.synthesis = synthesis;
        this.zDim = zDim;
        this.latentDim = latentDim;
        this.numWs = numWs;
        this.imageSize = imageSize;
    }

    /** Opens and validates the mapping and synthesis graphs of a bundle. */
    public static Generator open(ModelBundle bundle, SessionFactory sessions)
            throws BundleException {
        StageSession mapping = sessions.open(bundle, Stage.MAPPING);
        try {
            StageSession synthesis = sessions.open(bundle, Stage.SYNTHESIS);
            var m = bundle.manifest();
            return new Generator(
                    mapping, synthesis, m.zDim(), m.latentDim(), m.numWs(), m.imageSize());
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

    /** The synthesis network, {@code ws [rows, numWs, D] -> images [rows, 3, H, W]}. */
    public float[] synthesize(float[] ws, int rows) {
        checkArgument(
                rows >= 1 && ws.length == rows * numWs * latentDim,
                "ws has %s values, expected %s x %s x %s",
                ws.length,
                rows,
                numWs,
                latentDim);
        return synthesis.runFloat(ws, new long[] {rows, numWs, latentDim});
    }

    @Override
    public void close() {
        try {
            synthesis.close();
        } finally {
            mapping.close();
        }
    }
}
