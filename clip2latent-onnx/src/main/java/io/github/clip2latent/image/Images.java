package io.github.clip2latent.image;

import static com.google.common.base.Preconditions.checkArgument;

import java.awt.image.BufferedImage;

/**
 * Conversions between generator tensors (NCHW float, nominally in [-1, 1]) and 8-bit RGB images, as
 * the reference does (reference section 5: {@code floor(127.5 (clamp(x, -1, 1) + 1))}).
 */
public final class Images {

    private Images() {}

    /**
     * One channel value in [-1, 1] to 8 bits: {@code floor(127.5 (clamp(x, -1, 1) + 1))}, 255 at
     * most.
     */
    public static int toByte(float x) {
        float clamped = Math.max(-1f, Math.min(1f, x));
        return Math.min(255, (int) Math.floor(127.5f * (clamped + 1f)));
    }

    /** One 8-bit value back to [-1, 1]: {@code v / 127.5 - 1}. */
    public static float fromByte(int v) {
        return v / 127.5f - 1f;
    }

    /**
     * Image {@code index} of an NCHW batch as an RGB image.
     *
     * @param nchw {@code [n, 3, height, width]}
     */
    public static BufferedImage toImage(float[] nchw, int index, int height, int width) {
        int plane = height * width;
        int offset = index * 3 * plane;
        checkArgument(
                offset + 3 * plane <= nchw.length,
                "image %s of size %sx%s is outside an array of %s values",
                index,
                height,
                width,
                nchw.length);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = y * width + x;
                int r = toByte(nchw[offset + p]);
                int g = toByte(nchw[offset + plane + p]);
                int b = toByte(nchw[offset + 2 * plane + p]);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    /**
     * Area-resizes (adaptive average pooling, as {@link ClipPreprocessor}) every plane of an NCHW
     * batch to {@code size x size}; the reference's training embeddings resized 1024 px images to
     * 256 first.
     *
     * @return {@code [rows, channels, size, size]}
     */
    public static float[] areaResize(
            float[] nchw, int rows, int channels, int height, int width, int size) {
        checkArgument(
                nchw.length >= rows * channels * height * width,
                "input has %s values, need %s x %s x %s x %s",
                nchw.length,
                rows,
                channels,
                height,
                width);
        float[] out = new float[rows * channels * size * size];
        for (int plane = 0; plane < rows * channels; plane++) {
            ClipPreprocessor.areaResize(
                    nchw, plane * height * width, height, width, out, plane * size * size, size);
        }
        return out;
    }

    /** An RGB image as a {@code [1, 3, h, w]} tensor in [-1, 1]. */
    public static float[] toTensor(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int plane = width * height;
        float[] out = new float[3 * plane];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = image.getRGB(x, y);
                int p = y * width + x;
                out[p] = fromByte((rgb >> 16) & 0xff);
                out[plane + p] = fromByte((rgb >> 8) & 0xff);
                out[2 * plane + p] = fromByte(rgb & 0xff);
            }
        }
        return out;
    }
}
