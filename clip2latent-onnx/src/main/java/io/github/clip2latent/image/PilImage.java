package io.github.clip2latent.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * An 8-bit image held as PIL holds it, so that PIL's operations can be repeated exactly: a mode,
 * and the bands of each pixel interleaved ({@code L} 1, {@code LA} 2, {@code RGB} 3, {@code RGBA}
 * 4, {@code P} 1 palette index with a 256-entry RGB palette). Immutable by convention.
 *
 * @param mode PIL's mode name
 * @param width width in pixels
 * @param height height in pixels
 * @param pixels {@code height * width * mode.bands} values, row-major, 0..255 as unsigned bytes
 * @param palette 768 bytes (256 RGB entries) for {@link Mode#P}, else null
 */
record PilImage(Mode mode, int width, int height, byte[] pixels, byte[] palette) {

    /** The PIL modes of 8-bit images that {@code Image.open} gives for common files. */
    enum Mode {
        L(1),
        LA(2),
        RGB(3),
        RGBA(4),
        P(1);

        final int bands;

        Mode(int bands) {
            this.bands = bands;
        }
    }

    PilImage {
        if (pixels.length != (long) width * height * mode.bands) {
            throw new IllegalArgumentException(
                    mode + " image " + width + "x" + height + " needs "
                            + (long) width * height * mode.bands + " values, got " + pixels.length);
        }
        if ((mode == Mode.P) != (palette != null && palette.length == 768)) {
            throw new IllegalArgumentException("a palette of 768 bytes goes with mode P only");
        }
    }

    /**
     * Reads a decoded image as PIL would hold the same file: raw 8-bit samples, with no color
     * conversion (PIL does none).
     *
     * <ul>
     *   <li>an {@link IndexColorModel} (palette PNG or GIF, 1-bit images) becomes {@code P}: the
     *       indices and the palette;
     *   <li>a grey color space with 8-bit samples becomes {@code L}, or {@code LA} with alpha
     *       (ImageIO's grey images would otherwise pass through a linear-grey conversion);
     *   <li>an RGB color space with 8-bit, non-premultiplied samples becomes {@code RGB} or {@code
     *       RGBA};
     *   <li>anything else (16-bit samples, CMYK, premultiplied alpha) goes through {@link
     *       BufferedImage#getRGB}, Java's conversion to 8-bit sRGB, and becomes {@code RGB} or
     *       {@code RGBA}; PIL would handle such files differently (or not at all).
     * </ul>
     */
    static PilImage from(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            byte[] palette = new byte[768];
            int n = Math.min(256, icm.getMapSize());
            for (int i = 0; i < n; i++) {
                palette[3 * i] = (byte) icm.getRed(i);
                palette[3 * i + 1] = (byte) icm.getGreen(i);
                palette[3 * i + 2] = (byte) icm.getBlue(i);
            }
            return new PilImage(Mode.P, w, h, samples(raster, w, h, 1), palette);
        }
        boolean eightBit = true;
        for (int size : cm.getComponentSize()) {
            eightBit &= size == 8;
        }
        int bands = raster.getNumBands();
        int space = cm.getColorSpace().getType();
        if (eightBit && !cm.isAlphaPremultiplied()) {
            if (space == ColorSpace.TYPE_GRAY && (bands == 1 || bands == 2)) {
                return new PilImage(
                        bands == 1 ? Mode.L : Mode.LA, w, h, samples(raster, w, h, bands), null);
            }
            if (space == ColorSpace.TYPE_RGB && (bands == 3 || bands == 4)) {
                return new PilImage(
                        bands == 3 ? Mode.RGB : Mode.RGBA,
                        w,
                        h,
                        samples(raster, w, h, bands),
                        null);
            }
        }
        boolean alpha = cm.hasAlpha();
        int out = alpha ? 4 : 3;
        byte[] pixels = new byte[w * h * out];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                int p = (y * w + x) * out;
                pixels[p] = (byte) (argb >> 16);
                pixels[p + 1] = (byte) (argb >> 8);
                pixels[p + 2] = (byte) argb;
                if (alpha) {
                    pixels[p + 3] = (byte) (argb >>> 24);
                }
            }
        }
        return new PilImage(alpha ? Mode.RGBA : Mode.RGB, w, h, pixels, null);
    }

    private static byte[] samples(Raster raster, int w, int h, int bands) {
        byte[] out = new byte[w * h * bands];
        int[] row = new int[w * raster.getNumBands()];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            int base = y * w * bands;
            for (int i = 0; i < w * bands; i++) {
                out[base + i] = (byte) row[i];
            }
        }
        return out;
    }

    /** One value, 0..255. */
    int at(int x, int y, int band) {
        return pixels[(y * width + x) * mode.bands + band] & 0xFF;
    }

    /**
     * {@code image.convert("RGB")} as PIL 9.4 does it: grey is copied to the three channels,
     * alpha is dropped (not composited onto any background), palette indices are looked up.
     *
     * @return {@code height * width * 3} values, RGB interleaved
     */
    byte[] toRgb() {
        byte[] out = new byte[width * height * 3];
        int n = width * height;
        int bands = mode.bands;
        for (int i = 0; i < n; i++) {
            switch (mode) {
                case L, LA -> {
                    byte v = pixels[i * bands];
                    out[3 * i] = v;
                    out[3 * i + 1] = v;
                    out[3 * i + 2] = v;
                }
                case RGB, RGBA -> System.arraycopy(pixels, i * bands, out, 3 * i, 3);
                case P -> System.arraycopy(palette, 3 * (pixels[i] & 0xFF), out, 3 * i, 3);
            }
        }
        return out;
    }
}
