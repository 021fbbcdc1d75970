package io.github.clip2latent.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.bundle.NormalizationMode;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

/** Reference section 5: area resize, normalization, 8-bit conversion. */
class ClipPreprocessorTest {

    @Test
    void areaResizeAveragesPyTorchsAdaptiveWindows() {
        float[] plane = {1, 2, 3, 4, 5, 6, 7, 8, 9}; // 3 x 3
        // Windows [floor(i 3/2), ceil((i+1) 3/2)): rows/cols {0,1} and {1,2}, overlapping in the
        // middle.
        float[] resized = Images.areaResize(plane, 1, 1, 3, 3, 2);
        assertArrayEquals(new float[] {3, 4, 6, 7}, resized);
        float[] four = new float[16];
        for (int i = 0; i < 16; i++) {
            four[i] = i;
        }
        assertArrayEquals(
                new float[] {2.5f, 4.5f, 10.5f, 12.5f}, Images.areaResize(four, 1, 1, 4, 4, 2));
        assertArrayEquals(
                four, Images.areaResize(four, 1, 1, 4, 4, 4), "same size is the identity");
    }

    @Test
    void normalizesOnceOrWithTheReferenceQuirk() {
        float[] pixels = new float[3 * 4]; // one 2 x 2 image, all channels at y = 0.2
        java.util.Arrays.fill(pixels, 0.2f);
        float[] single = new float[12];
        new ClipPreprocessor(ImagePreprocessing.clip(2)).apply(pixels, 1, 2, 2, single);
        float[] mean = ImagePreprocessing.CLIP_MEAN;
        float[] std = ImagePreprocessing.CLIP_STD;
        for (int c = 0; c < 3; c++) {
            assertEquals((0.6f - mean[c]) / std[c], single[c * 4], 1e-6);
        }
        float[] twice = new float[12];
        new ClipPreprocessor(
                        ImagePreprocessing.clip(2).withMode(NormalizationMode.REFERENCE_DOUBLE))
                .apply(pixels, 1, 2, 2, twice);
        for (int c = 0; c < 3; c++) {
            float once = (0.6f - mean[c]) / std[c];
            assertEquals((Math.max(0, Math.min(1, once)) - mean[c]) / std[c], twice[c * 4], 1e-6);
        }
    }

    @Test
    void eightBitConversionFollowsTheReference() {
        assertEquals(0, Images.toByte(-1f));
        assertEquals(0, Images.toByte(-5f));
        assertEquals(255, Images.toByte(1f));
        assertEquals(127, Images.toByte(0f)); // floor(127.5)
        float[] nchw = {1f, -1f, 0f};
        BufferedImage image = Images.toImage(nchw, 0, 1, 1);
        assertEquals(0xff007f, image.getRGB(0, 0) & 0xffffff);
        float[] back = Images.toTensor(image);
        assertEquals(1f, back[0], 1e-6);
        assertEquals(-1f, back[1], 1e-6);
        assertEquals(127 / 127.5f - 1, back[2], 1e-6);
    }
}
