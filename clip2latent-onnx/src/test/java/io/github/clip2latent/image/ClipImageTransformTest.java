package io.github.clip2latent.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * {@link ClipImageTransform} against PIL 9.4 + torchvision 0.14 running {@code clip._transform(224)}
 * ({@code src/test/resources/pil-goldens/make_goldens.py}): for each of 18 images (RGB, grey, grey
 * with alpha, RGBA, palette; up- and downscaling, odd aspect ratios, odd crop offsets), the 8-bit
 * image before {@code ToTensor} must be identical (SHA-256) and the normalized values within 1e-3
 * on a 20 x 20 grid.
 */
class ClipImageTransformTest {

    private static final String DIR = "/pil-goldens/";

    @TempDir Path tmp;

    private static JsonNode goldens() throws IOException {
        try (InputStream in = resource("goldens.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = ClipImageTransformTest.class.getResourceAsStream(DIR + name);
        if (in == null) {
            throw new IllegalStateException(DIR + name + " not on the test class path");
        }
        return in;
    }

    @Test
    void matchesPilOnEveryGoldenImage() throws IOException {
        JsonNode goldens = goldens();
        assertEquals("9.4.0", goldens.path("pil").asText());
        ClipImageTransform transform = ClipImageTransform.clip224();
        List<String> failures = new ArrayList<>();
        double worst = 0;
        for (JsonNode c : goldens.path("cases")) {
            String name = c.path("name").asText();
            BufferedImage image =
                    c.path("png").asBoolean()
                            ? readPng(name + ".png")
                            : ImageGoldens.make(c.path("mode").asText(), c.path("width").asInt(),
                                    c.path("height").asInt(), c.path("pattern").asText(),
                                    c.path("seed").asInt());
            int[] resized = ClipImageTransform.resizedSize(image.getWidth(), image.getHeight(), 224);
            if (resized[0] != c.path("resized").get(0).asInt()
                    || resized[1] != c.path("resized").get(1).asInt()) {
                failures.add(name + ": resized to " + resized[0] + "x" + resized[1] + ", PIL "
                        + c.path("resized"));
            }
            String sha = sha256(transform.resizeCropRgb(PilImage.from(image)));
            if (!sha.equals(c.path("sha256_rgb").asText())) {
                failures.add(name + ": 8-bit RGB differs from PIL's (SHA-256 " + sha + ")");
            }
            double diff = maxGridDifference(transform.apply(image), name, goldens.path("grid"));
            worst = Math.max(worst, diff);
            if (diff > 1e-3) {
                failures.add(name + ": max |difference| on the grid " + diff);
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(worst < 1e-6, "worst grid difference " + worst);
    }

    @Test
    void theWayTheImageIsStoredDoesNotMatter() throws IOException {
        // One RGB picture as 3-byte BGR, packed int RGB, packed ARGB without alpha use, and after a
        // PNG round trip through ImageIO: the same values.
        BufferedImage bgr = ImageGoldens.make("RGB", 130, 171, "noise", 21);
        ClipImageTransform transform = ClipImageTransform.clip224();
        float[] expected = transform.apply(bgr);
        BufferedImage intRgb = new BufferedImage(130, 171, BufferedImage.TYPE_INT_RGB);
        intRgb.setData(bgr.getRaster());
        assertArrayEquals(expected, transform.apply(intRgb));
        Path png = tmp.resolve("rgb.png");
        ImageIO.write(bgr, "png", png.toFile());
        assertArrayEquals(expected, transform.apply(ImageIO.read(png.toFile())));
        // A grey PNG stays grey: ImageIO's TYPE_BYTE_GRAY is read raw, never through linear grey.
        BufferedImage grey = ImageGoldens.make("L", 90, 64, "smooth", 22);
        Path greyPng = tmp.resolve("grey.png");
        ImageIO.write(grey, "png", greyPng.toFile());
        assertArrayEquals(transform.apply(grey), transform.apply(ImageIO.read(greyPng.toFile())));
    }

    @Test
    void alphaIsDroppedNotComposited() {
        // Fully transparent red stays red; half transparent blue stays blue (no black or white
        // background shows through), as PIL's convert("RGB") does.
        BufferedImage rgba = new BufferedImage(224, 224, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                rgba.setRGB(x, y, x < 112 ? 0x00ff0000 : 0x800000ff);
            }
        }
        byte[] rgb = ClipImageTransform.clip224().resizeCropRgb(PilImage.from(rgba));
        assertArrayEquals(new byte[] {(byte) 255, 0, 0}, java.util.Arrays.copyOfRange(rgb, 0, 3));
        int last = rgb.length - 3;
        assertArrayEquals(
                new byte[] {0, 0, (byte) 255}, java.util.Arrays.copyOfRange(rgb, last, last + 3));
    }

    @Test
    void bicubicKernelIsPillows() {
        assertEquals(1.0, PilResize.bicubic(0), 0);
        assertEquals(0.0, PilResize.bicubic(1), 0);
        assertEquals(0.0, PilResize.bicubic(2), 0);
        // a = -0.5: at 0.5, ((1.5 * 0.5 - 2.5) * 0.25 + 1) = 0.5625; at 1.5, -0.0625.
        assertEquals(0.5625, PilResize.bicubic(0.5), 1e-15);
        assertEquals(-0.0625, PilResize.bicubic(-1.5), 1e-15);
    }

    private static BufferedImage readPng(String name) throws IOException {
        try (InputStream in = resource(name)) {
            BufferedImage image = ImageIO.read(in);
            if (image == null) {
                throw new IOException(DIR + name + ": ImageIO cannot read it");
            }
            return image;
        }
    }

    private double maxGridDifference(float[] ours, String name, JsonNode grid) throws IOException {
        Path file = tmp.resolve(name + ".npy");
        try (InputStream in = resource(name + ".npy")) {
            Files.copy(in, file);
        }
        NpyArray pil = Npy.read(file);
        int n = grid.size();
        assertArrayEquals(new long[] {3, n, n}, pil.shape(), name);
        double worst = 0;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    float a = ours[c * 224 * 224 + grid.get(i).asInt() * 224 + grid.get(j).asInt()];
                    float b = pil.data()[(c * n + i) * n + j];
                    worst = Math.max(worst, Math.abs(a - b));
                }
            }
        }
        return worst;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The input images of make_goldens.py, from the same integer formulas. */
    static final class ImageGoldens {

        private ImageGoldens() {}

        static int noise(int x, int y, int channel, int seed) {
            long v = (x * 2654435761L + y * 40503L + (channel * 977L + seed * 7919L)) & 0xFFFFFFFFL;
            v ^= v >>> 13;
            v = (v * 0x5BD1E995L) & 0xFFFFFFFFL;
            v ^= v >>> 15;
            return (int) (v & 255);
        }

        static int smooth(int x, int y, int w, int channel, int seed) {
            int base = (x * 255 / Math.max(w - 1, 1) + y * (channel + 1) * 3 + seed * 11) % 256;
            return (base + (noise(x, y, channel, seed) & 15)) % 256;
        }

        static int value(String pattern, int x, int y, int w, int channel, int seed) {
            return pattern.equals("noise") ? noise(x, y, channel, seed) : smooth(x, y, w, channel, seed);
        }

        static int alpha(int x, int y, int seed) {
            return (x + y) % 5 == 0 ? 0 : (x + y) % 5 == 1 ? 255 : noise(x, y, 3, seed);
        }

        static BufferedImage make(String mode, int w, int h, String pattern, int seed) {
            switch (mode) {
                case "RGB", "RGBA" -> {
                    boolean alpha = mode.equals("RGBA");
                    BufferedImage image = new BufferedImage(w, h,
                            alpha ? BufferedImage.TYPE_4BYTE_ABGR : BufferedImage.TYPE_3BYTE_BGR);
                    WritableRaster r = image.getRaster();
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            for (int c = 0; c < 3; c++) {
                                r.setSample(x, y, c, value(pattern, x, y, w, c, seed));
                            }
                            if (alpha) {
                                r.setSample(x, y, 3, alpha(x, y, seed));
                            }
                        }
                    }
                    return image;
                }
                case "L" -> {
                    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            image.getRaster().setSample(x, y, 0, value(pattern, x, y, w, 0, seed));
                        }
                    }
                    return image;
                }
                case "LA" -> {
                    ComponentColorModel cm = new ComponentColorModel(
                            ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                            Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
                    WritableRaster r = cm.createCompatibleWritableRaster(w, h);
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            r.setSample(x, y, 0, value(pattern, x, y, w, 0, seed));
                            r.setSample(x, y, 1, alpha(x, y, seed));
                        }
                    }
                    return new BufferedImage(cm, r, false, null);
                }
                case "P" -> {
                    byte[] red = new byte[256];
                    byte[] green = new byte[256];
                    byte[] blue = new byte[256];
                    for (int i = 0; i < 256; i++) {
                        red[i] = (byte) (i * 3 % 256);
                        green[i] = (byte) ((i * 7 + 5) % 256);
                        blue[i] = (byte) (255 - i);
                    }
                    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED,
                            new IndexColorModel(8, 256, red, green, blue));
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            image.getRaster().setSample(x, y, 0, value(pattern, x, y, w, 0, seed));
                        }
                    }
                    return image;
                }
                default -> throw new IllegalArgumentException(mode);
            }
        }
    }
}
