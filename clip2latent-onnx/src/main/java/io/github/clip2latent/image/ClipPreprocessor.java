package io.github.clip2latent.image;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.bundle.NormalizationMode;

/**
 * CLIP's image preprocessing as the reference applies it to generator output (reference section 5):
 * area resize to the encoder's input size (adaptive average pooling, windows {@code [floor(i N /
 * S), ceil((i + 1) N / S))}), then {@code Normalize(0.5 y + 0.5)} with CLIP's mean and std, once
 * ({@link NormalizationMode#SINGLE}) or with the reference's re-ranking quirk (normalize, clamp to
 * [0, 1], normalize again; {@link NormalizationMode#REFERENCE_DOUBLE}). Immutable and thread-safe.
 */
public final class ClipPreprocessor {

    private final ImagePreprocessing spec;
    private final float[] mean;
    private final float[] std;

    /** A preprocessor for the given spec. */
    public ClipPreprocessor(ImagePreprocessing spec) {
        this.spec = checkNotNull(spec, "spec");
        this.mean = spec.mean();
        this.std = spec.std();
    }

    /** The spec. */
    public ImagePreprocessing spec() {
        return spec;
    }

    /**
     * Preprocesses a batch.
     *
     * @param nchw {@code [rows, 3, height, width]} in [-1, 1]
     * @param out {@code [rows, 3, S, S]}, S the encoder input size
     */
    public void apply(float[] nchw, int rows, int height, int width, float[] out) {
        int size = spec.inputSize();
        checkArgument(
                nchw.length >= rows * 3 * height * width,
                "input has %s values, need %s x 3 x %s x %s",
                nchw.length,
                rows,
                height,
                width);
        checkArgument(
                out.length >= rows * 3 * size * size,
                "output has %s values, need %s x 3 x %s x %s",
                out.length,
                rows,
                size,
                size);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 3; c++) {
                int inOffset = (r * 3 + c) * height * width;
                int outOffset = (r * 3 + c) * size * size;
                areaResize(nchw, inOffset, height, width, out, outOffset, size);
                for (int i = outOffset; i < outOffset + size * size; i++) {
                    float y = (0.5f * out[i] + 0.5f - mean[c]) / std[c];
                    if (spec.mode() == NormalizationMode.REFERENCE_DOUBLE) {
                        y = (Math.max(0f, Math.min(1f, y)) - mean[c]) / std[c];
                    }
                    out[i] = y;
                }
            }
        }
    }

    /**
     * Adaptive average pooling of one plane to {@code size x size} (PyTorch's area interpolation).
     */
    static void areaResize(
            float[] in, int inOffset, int height, int width, float[] out, int outOffset, int size) {
        for (int oy = 0; oy < size; oy++) {
            int y0 = (int) ((long) oy * height / size);
            int y1 = (int) (((long) (oy + 1) * height + size - 1) / size);
            for (int ox = 0; ox < size; ox++) {
                int x0 = (int) ((long) ox * width / size);
                int x1 = (int) (((long) (ox + 1) * width + size - 1) / size);
                double sum = 0;
                for (int y = y0; y < y1; y++) {
                    int row = inOffset + y * width;
                    for (int x = x0; x < x1; x++) {
                        sum += in[row + x];
                    }
                }
                out[outOffset + oy * size + ox] = (float) (sum / ((y1 - y0) * (x1 - x0)));
            }
        }
    }
}
