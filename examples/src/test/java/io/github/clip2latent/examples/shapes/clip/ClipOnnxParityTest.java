package io.github.clip2latent.examples.shapes.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.image.ClipPreprocessor;
import io.github.clip2latent.tokenizer.ClipTokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The exported graphs compute what the SameDiff graph computes, and the parts agree with their
 * specs.
 */
class ClipOnnxParityTest {

    private static final double TOLERANCE = 1e-4;

    @TempDir Path dir;

    @Test
    void exportedEncodersMatchSameDiff() throws Exception {
        ClipTokenizer tokenizer = ToySquares.tokenizer(dir);
        ClipConfig config = ClipConfig.defaults(tokenizer).withEmbeddingDim(32);
        ClipModel model = ClipModel.initialize(config, new SplittableRandom(7));
        ClipOnnxModels onnx = ClipOnnxExporter.export(model);

        ContrastiveBatch batch = new ToySquares(5, true).next(new SplittableRandom(3));
        int s = config.imageSize();
        float[] pixels = new float[5 * 3 * s * s];
        new ClipPreprocessor(ImagePreprocessing.clip(s)).apply(batch.images(), 5, 64, 64, pixels);
        float[] expectedImage = model.embedImages(pixels, 5);
        float[] actualImage =
                OrtRunner.runFloat(
                        onnx.imageEncoder(),
                        ClipModel.PIXEL_VALUES,
                        pixels,
                        new long[] {5, 3, s, s},
                        ClipModel.IMAGE_EMBEDS);
        assertClose(expectedImage, actualImage);
        assertUnitRows(actualImage, 32);

        // Different lengths, an unknown word split into pieces, and an empty prompt.
        List<String> prompts =
                List.of("a red square", "a blue square at the top left", "squares!", "", "yellow");
        long[] ids = tokenizer.tokenizeBatch(prompts);
        float[] expectedText = model.embedTexts(ids, prompts.size());
        float[] actualText =
                OrtRunner.runLong(
                        onnx.textEncoder(),
                        ClipModel.INPUT_IDS,
                        ids,
                        new long[] {prompts.size(), tokenizer.contextLength()},
                        ClipModel.TEXT_EMBEDS);
        assertClose(expectedText, actualText);
        assertUnitRows(actualText, 32);
    }

    @Test
    void kernelPermutationMatchesOnnxLayout() {
        float[] yxio = new float[2 * 3 * 4 * 5];
        for (int i = 0; i < yxio.length; i++) {
            yxio[i] = i;
        }
        var oiyx =
                ClipOnnxExporter.toOiyx(
                        new io.github.clip2latent.convert.graph.NamedTensor(
                                "w", new long[] {2, 3, 4, 5}, yxio));
        assertTrue(oiyx.hasShape(5, 4, 2, 3));
        // [o=3, i=2, y=1, x=2] comes from [y=1, x=2, i=2, o=3].
        assertEquals(((1 * 3 + 2) * 4 + 2) * 5 + 3, oiyx.get(((3 * 4 + 2) * 2 + 1) * 3 + 2));
    }

    static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= TOLERANCE, "max |SameDiff - ONNX| = " + worst);
    }

    static void assertUnitRows(float[] embeds, int dim) {
        for (int r = 0; r < embeds.length / dim; r++) {
            double sum = 0;
            for (int k = 0; k < dim; k++) {
                sum += embeds[r * dim + k] * embeds[r * dim + k];
            }
            assertEquals(1.0, Math.sqrt(sum), 1e-5, "norm of row " + r);
        }
    }
}
