package io.github.clip2latent.image;

import io.github.clip2latent.image.PilImage.Mode;

/**
 * Pillow 9.4's {@code Image.resize(size, Image.BICUBIC)} on 8-bit images, bit for bit: the
 * separable two-pass resampling of {@code libImaging/Resample.c} (bicubic kernel with a = -0.5,
 * support scaled by the downscaling factor so that shrinking averages, coefficients in 22-bit
 * fixed point, each pass rounded and clipped to 8 bits), nearest neighbour for palette images (as
 * {@code Image.resize} switches to for mode {@code P}, via {@code ImagingScaleAffine} of {@code
 * Geometry.c}), and premultiplied alpha around the resampling of {@code LA} and {@code RGBA}
 * images ({@code Convert.c}'s {@code rgbA2rgba} and {@code rgba2rgbA}).
 */
final class PilResize {

    /** {@code PRECISION_BITS} of Resample.c: 32 - 8 - 2. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** Bicubic support: {@code struct filter BICUBIC = {bicubic_filter, 2.0}}. */
    private static final double SUPPORT = 2.0;

    private PilResize() {}

    /** {@code image.resize((width, height), Image.BICUBIC)}. */
    static PilImage resize(PilImage in, int width, int height) {
        if (in.width() == width && in.height() == height) {
            return in; // Image.resize returns a copy when nothing changes
        }
        if (in.mode() == Mode.P) {
            return nearest(in, width, height);
        }
        if (in.mode() == Mode.LA || in.mode() == Mode.RGBA) {
            PilImage resized = resample(premultiply(in), width, height);
            return unpremultiply(resized);
        }
        return resample(in, width, height);
    }

    /** {@code bicubic_filter} of Resample.c. */
    static double bicubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /**
     * {@code precompute_coeffs} followed by {@code normalize_coeffs_8bpc} of Resample.c for the
     * box {@code [0, inSize)}.
     *
     * @param bounds out: per output pixel, the first input pixel and the number used
     * @return per output pixel {@code ksize} fixed-point coefficients
     */
    static int[] coefficients(int inSize, int outSize, int[] bounds, int[] ksizeOut) {
        float in0 = 0f;
        float in1 = inSize;
        double scale = (double) (in1 - in0) / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = SUPPORT * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        double[] kk = new double[outSize * ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = in0 + (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            int k = xx * ksize;
            for (int x = 0; x < xmax; x++) {
                double w = bicubic((x + xmin - center + 0.5) * ss);
                kk[k + x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) {
                    kk[k + x] /= ww;
                }
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        int[] fixed = new int[kk.length];
        for (int i = 0; i < kk.length; i++) {
            fixed[i] =
                    kk[i] < 0
                            ? (int) (-0.5 + kk[i] * (1 << PRECISION_BITS))
                            : (int) (0.5 + kk[i] * (1 << PRECISION_BITS));
        }
        ksizeOut[0] = ksize;
        return fixed;
    }

    /** {@code clip8}: the 8-bit value of a fixed-point sum, clipped to [0, 255]. */
    private static int clip8(int in) {
        int v = in >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** {@code ImagingResampleInner}: horizontal pass if the width changes, then vertical. */
    private static PilImage resample(PilImage in, int width, int height) {
        int bands = in.mode().bands;
        PilImage image = in;
        if (width != in.width()) {
            int[] bounds = new int[width * 2];
            int[] ksize = new int[1];
            int[] k = coefficients(in.width(), width, bounds, ksize);
            byte[] src = image.pixels();
            byte[] out = new byte[width * in.height() * bands];
            int inRow = in.width() * bands;
            for (int y = 0; y < in.height(); y++) {
                for (int xx = 0; xx < width; xx++) {
                    int xmin = bounds[xx * 2];
                    int xmax = bounds[xx * 2 + 1];
                    int kBase = xx * ksize[0];
                    for (int b = 0; b < bands; b++) {
                        int ss = 1 << (PRECISION_BITS - 1);
                        int p = y * inRow + xmin * bands + b;
                        for (int x = 0; x < xmax; x++, p += bands) {
                            ss += (src[p] & 0xFF) * k[kBase + x];
                        }
                        out[(y * width + xx) * bands + b] = (byte) clip8(ss);
                    }
                }
            }
            image = new PilImage(in.mode(), width, in.height(), out, null);
        }
        if (height != in.height()) {
            int[] bounds = new int[height * 2];
            int[] ksize = new int[1];
            int[] k = coefficients(in.height(), height, bounds, ksize);
            byte[] src = image.pixels();
            int row = width * bands;
            byte[] out = new byte[height * row];
            for (int yy = 0; yy < height; yy++) {
                int ymin = bounds[yy * 2];
                int ymax = bounds[yy * 2 + 1];
                int kBase = yy * ksize[0];
                for (int i = 0; i < row; i++) {
                    int ss = 1 << (PRECISION_BITS - 1);
                    for (int y = 0; y < ymax; y++) {
                        ss += (src[(ymin + y) * row + i] & 0xFF) * k[kBase + y];
                    }
                    out[yy * row + i] = (byte) clip8(ss);
                }
            }
            image = new PilImage(in.mode(), width, height, out, null);
        }
        return image;
    }

    /**
     * {@code ImagingScaleAffine} with {@code a = [in/out, 0, 0, 0, in/out, 0]}: each output pixel
     * takes the input pixel under its center, positions accumulated in double as PIL does.
     */
    private static PilImage nearest(PilImage in, int width, int height) {
        double ax = (double) (float) in.width() / width;
        double ay = (double) (float) in.height() / height;
        int[] xin = new int[width];
        double xo = ax * 0.5;
        for (int x = 0; x < width; x++) {
            int c = xo < 0.0 ? -1 : (int) xo;
            xin[x] = c < in.width() ? c : -1;
            xo += ax;
        }
        int bands = in.mode().bands;
        byte[] out = new byte[width * height * bands]; // fill = 1: pixels outside stay 0
        double yo = ay * 0.5;
        for (int y = 0; y < height; y++) {
            int yi = yo < 0.0 ? -1 : (int) yo;
            if (yi >= 0 && yi < in.height()) {
                for (int x = 0; x < width; x++) {
                    if (xin[x] >= 0) {
                        System.arraycopy(
                                in.pixels(),
                                (yi * in.width() + xin[x]) * bands,
                                out,
                                (y * width + x) * bands,
                                bands);
                    }
                }
            }
            yo += ay;
        }
        return new PilImage(in.mode(), width, height, out, in.palette());
    }

    /** {@code rgbA2rgba} / {@code lA2la}: color times alpha, {@code MULDIV255}. */
    static PilImage premultiply(PilImage in) {
        byte[] p = in.pixels().clone();
        int bands = in.mode().bands;
        for (int i = 0; i < p.length; i += bands) {
            int alpha = p[i + bands - 1] & 0xFF;
            for (int b = 0; b < bands - 1; b++) {
                int tmp = (p[i + b] & 0xFF) * alpha + 128;
                p[i + b] = (byte) (((tmp >> 8) + tmp) >> 8);
            }
        }
        return new PilImage(in.mode(), in.width(), in.height(), p, null);
    }

    /** {@code rgba2rgbA} / {@code la2lA}: color divided by alpha unless alpha is 0 or 255. */
    static PilImage unpremultiply(PilImage in) {
        byte[] p = in.pixels().clone();
        int bands = in.mode().bands;
        for (int i = 0; i < p.length; i += bands) {
            int alpha = p[i + bands - 1] & 0xFF;
            if (alpha == 255 || alpha == 0) {
                continue;
            }
            for (int b = 0; b < bands - 1; b++) {
                int v = (255 * (p[i + b] & 0xFF)) / alpha;
                p[i + b] = (byte) Math.min(v, 255);
            }
        }
        return new PilImage(in.mode(), in.width(), in.height(), p, null);
    }
}
