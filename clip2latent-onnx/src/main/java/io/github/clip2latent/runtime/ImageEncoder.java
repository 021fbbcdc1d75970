package io.github.clip2latent.runtime;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.image.ClipImageTransform;
import io.github.clip2latent.image.ClipPreprocessor;

import java.awt.image.BufferedImage;

/**
 * CLIP's image side: the reference preprocessing and the image encoder graph. Thread-safe; owns its
 * session.
 */
public final class ImageEncoder implements AutoCloseable {

    private final StageSession session;
    private final ClipPreprocessor preprocessor;
    private final int embeddingDim;

    private ImageEncoder(StageSession session, ClipPreprocessor preprocessor, int embeddingDim) {
        this.session = session;
        this.preprocessor = preprocessor;
        this.embeddingDim = embeddingDim;
    }

    /** Opens the image encoder of a bundle with the bundle's preprocessing. */
    public static ImageEncoder open(ModelBundle bundle, SessionFactory sessions)
            throws BundleException {
        return open(bundle, sessions, bundle.manifest().preprocessing());
    }

    /**
     * Opens the image encoder with an explicit preprocessing (e.g. the reference's double
     * normalization).
     */
    public static ImageEncoder open(
            ModelBundle bundle, SessionFactory sessions, ImagePreprocessing preprocessing)
            throws BundleException {
        return new ImageEncoder(
                sessions.open(bundle, Stage.IMAGE_ENCODER),
                new ClipPreprocessor(preprocessing),
                bundle.manifest().embeddingDim());
    }

    /** Embedding width C. */
    public int embeddingDim() {
        return embeddingDim;
    }

    /** The preprocessing in use. */
    public ImagePreprocessing preprocessing() {
        return preprocessor.spec();
    }

    /**
     * Embeds generator output.
     *
     * @param nchw {@code [rows, 3, height, width]} in [-1, 1]
     * @return {@code [rows, C]}, raw embeddings
     */
    public float[] encode(float[] nchw, int rows, int height, int width) {
        checkArgument(rows >= 1, "rows must be >= 1, got %s", rows);
        int size = preprocessor.spec().inputSize();
        float[] pixels = new float[rows * 3 * size * size];
        preprocessor.apply(nchw, rows, height, width, pixels);
        return session.runFloat(pixels, new long[] {rows, 3, size, size});
    }

    /**
     * Embeds a user image (image variations) of any size, grey, palette or with alpha, after OpenAI
     * CLIP's own preprocessing ({@link ClipImageTransform}: bicubic resize of the shorter side and
     * center crop as PIL does them, alpha dropped), not the area resize used for generator output.
     *
     * @return {@code [1, C]}, raw embedding
     */
    public float[] encode(BufferedImage image) {
        int size = preprocessor.spec().inputSize();
        float[] pixels = new float[3 * size * size];
        ClipImageTransform.of(preprocessor.spec()).apply(image, pixels, 0);
        return session.runFloat(pixels, new long[] {1, 3, size, size});
    }

    @Override
    public void close() {
        session.close();
    }
}
