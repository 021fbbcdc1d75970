package io.github.clip2latent.convert.clip;

import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;

import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CLIP goldens under {@code /reference/clip/} and the pixel values their MANIFEST describes.
 */
final class ClipReference {

    static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
    static final int SIZE = 224;

    private ClipReference() {}

    static Path file(String name) {
        try {
            return Path.of(ClipReference.class.getResource("/reference/clip/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource /reference/clip/" + name, e);
        }
    }

    static NpyArray npy(String name) throws Exception {
        return Npy.read(file(name));
    }

    /**
     * int32 token ids as stored (a version 1.0 little-endian {@code <i4} .npy; the core's reader
     * takes floats only), widened to the int64 the text graph takes.
     */
    static long[] tokens(String name) throws Exception {
        byte[] bytes = Files.readAllBytes(file(name));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Short.toUnsignedInt(b.getShort(8));
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        if (bytes[6] != 1 || !header.contains("'descr': '<i4'")) {
            throw new IllegalStateException(name + ": expected a v1.0 <i4 .npy, header " + header);
        }
        int start = 10 + headerLength;
        long[] out = new long[(bytes.length - start) / Integer.BYTES];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getInt(start + i * Integer.BYTES);
        }
        return out;
    }

    /**
     * The clip2latent preprocessing the MANIFEST documents: area resize to 224 (adaptive average
     * pooling: output row i averages input rows floor(i H / 224) .. ceil((i + 1) H / 224) - 1),
     * {@code 0.5 x + 0.5}, then CLIP's Normalize.
     *
     * @return [3, 224, 224] pixel values of source image {@code index}
     */
    static float[] pixels(int index) throws Exception {
        NpyArray src = npy("image_source_" + index + ".npy");
        int h = (int) src.dim(2);
        int w = (int) src.dim(3);
        float[] out = new float[3 * SIZE * SIZE];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < SIZE; i++) {
                int r0 = Math.floorDiv(i * h, SIZE);
                int r1 = -Math.floorDiv(-(i + 1) * h, SIZE);
                for (int j = 0; j < SIZE; j++) {
                    int c0 = Math.floorDiv(j * w, SIZE);
                    int c1 = -Math.floorDiv(-(j + 1) * w, SIZE);
                    double sum = 0;
                    for (int y = r0; y < r1; y++) {
                        for (int x = c0; x < c1; x++) {
                            sum += src.data()[(c * h + y) * w + x];
                        }
                    }
                    double v = sum / ((r1 - r0) * (c1 - c0));
                    out[(c * SIZE + i) * SIZE + j] = (float) ((0.5 * v + 0.5 - MEAN[c]) / STD[c]);
                }
            }
        }
        return out;
    }

    /** All three source images' pixel values, [3, 3, 224, 224]. */
    static float[] allPixels() throws Exception {
        float[] all = new float[3 * 3 * SIZE * SIZE];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(pixels(i), 0, all, i * 3 * SIZE * SIZE, 3 * SIZE * SIZE);
        }
        return all;
    }

    /** Largest |a - b| / max|b| over rows: relative error in the sense of 1e-4 of the scale. */
    static double maxRelativeError(float[] actual, float[] expected, int dim) {
        double worst = 0;
        for (int r = 0; r < expected.length / dim; r++) {
            double scale = 0;
            for (int j = 0; j < dim; j++) {
                scale = Math.max(scale, Math.abs(expected[r * dim + j]));
            }
            for (int j = 0; j < dim; j++) {
                double err = Math.abs(actual[r * dim + j] - expected[r * dim + j]) / scale;
                worst = Math.max(worst, err);
            }
        }
        return worst;
    }
}
