package io.github.clip2latent.examples.shapes.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.convert.clip.ClipGraphWriter;
import io.github.clip2latent.convert.clip.ClipWeights;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.examples.shapes.build.WorldCaptionBatches;
import io.github.clip2latent.examples.shapes.build.WorldClip;
import io.github.clip2latent.image.ClipPreprocessor;
import io.github.clip2latent.tokenizer.ClipTokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The world CLIP's SameDiff forward and the graphs {@link ClipGraphWriter} writes from its weights
 * (run by ONNX Runtime) compute the same embeddings, and word order changes the text embedding.
 */
class ClipOnnxParityTest {

    private static final double TOLERANCE = 1e-4;

    @Test
    void exportedEncodersMatchSameDiff() throws Exception {
        ClipTokenizer tokenizer = WorldClip.bundledTokenizer();
        TrainedTokens tokens = WorldClip.trainedTokens(tokenizer);
        ClipModel model =
                ClipModel.initialize(
                        WorldClip.architecture(32),
                        tokens,
                        tokenizer.endOfTextId(),
                        new SplittableRandom(7));
        ClipWeights weights = model.weights();
        assertEquals(
                ClipWeights.expectedShapes(model.config()).keySet(),
                weights.tensors().keySet(),
                "OpenAI's state-dict names");
        ClipOnnxModels onnx = ClipOnnxModels.export(model, "parity test");

        int rows = 6;
        ContrastiveBatch batch =
                new WorldCaptionBatches(ShapesWorld.create(7), rows).next(new SplittableRandom(3));
        int r = model.config().imageResolution();
        float[] pixels = new float[rows * 3 * r * r];
        new ClipPreprocessor(ImagePreprocessing.clip(r))
                .apply(batch.images(), rows, batch.height(), batch.width(), pixels);
        float[] expectedImage = model.embedImages(pixels, rows);
        float[] actualImage =
                OrtRunner.runFloat(
                        onnx.imageEncoder(),
                        ClipGraphWriter.INPUT_PIXELS,
                        pixels,
                        new long[] {rows, 3, r, r},
                        ClipGraphWriter.OUTPUT_IMAGE);
        assertClose(expectedImage, actualImage);

        // Lengths differ (the graph runs up to the batch's last end token), an untrained word
        // (the shared unknown row), a prompt longer than the context (truncated), an empty one.
        List<String> prompts =
                List.of(
                        "a blue triangle on a white background",
                        "a white triangle on a blue background",
                        "a triangle blue white background on a",
                        "a hexagon",
                        "",
                        "a small red circle in the upper left corner on a white background, a"
                                + " small red circle in the upper left corner");
        long[] ids = tokenizer.tokenizeBatch(prompts);
        float[] expectedText = model.embedTexts(ids, prompts.size());
        float[] actualText =
                OrtRunner.runLong(
                        onnx.textEncoder(),
                        ClipGraphWriter.INPUT_IDS,
                        ids,
                        new long[] {prompts.size(), tokenizer.contextLength()},
                        ClipGraphWriter.OUTPUT_TEXT);
        assertClose(expectedText, actualText);

        // Order matters even untrained: the three orderings of the same words embed apart.
        int e = model.config().embedDim();
        for (int a = 0; a < 3; a++) {
            for (int b = a + 1; b < 3; b++) {
                double diff = 0;
                for (int k = 0; k < e; k++) {
                    diff = Math.max(diff, Math.abs(actualText[a * e + k] - actualText[b * e + k]));
                }
                assertTrue(diff > 1e-3, "prompts " + a + " and " + b + " embed alike: " + diff);
            }
        }
    }

    /**
     * With the convolutional image tower: after two training steps (so every bias has moved), the
     * graph {@link ConvImageEncoderWriter} writes computes SameDiff's image embeddings; the text
     * tower's weights alone still export through {@link ClipGraphWriter}, which refuses to write a
     * ViT from them.
     */
    @Test
    void convImageTowerExportMatchesSameDiff() throws Exception {
        ClipTokenizer tokenizer = WorldClip.bundledTokenizer();
        ClipModel model = smallConvModel(tokenizer, 7);
        WorldCaptionBatches source = new WorldCaptionBatches(ShapesWorld.create(7), 6);
        ClipTrainer.create(model, tokenizer, TrainingOptions.defaults().withWarmupSteps(0))
                .train(source, 2, new SplittableRandom(5), (step, loss, accuracy) -> {});
        for (var t : model.convImageTowerWeights().values()) {
            if (t.name().endsWith(".bias")) {
                double norm = 0;
                for (float v : t.data()) {
                    norm += Math.abs(v);
                }
                assertTrue(norm > 0, t.name() + " has not moved");
            }
        }
        ClipWeights text = model.weights();
        assertFalse(text.hasImageTower());
        assertThrows(
                IllegalArgumentException.class,
                () -> ClipGraphWriter.buildImageEncoder(text, "refused"));
        ClipOnnxModels onnx = ClipOnnxModels.export(model, "parity test");

        int rows = 6;
        ContrastiveBatch batch = source.next(new SplittableRandom(3));
        int r = model.config().imageResolution();
        float[] pixels = new float[rows * 3 * r * r];
        new ClipPreprocessor(ImagePreprocessing.clip(r))
                .apply(batch.images(), rows, batch.height(), batch.width(), pixels);
        assertClose(
                model.embedImages(pixels, rows),
                OrtRunner.runFloat(
                        onnx.imageEncoder(),
                        ClipGraphWriter.INPUT_PIXELS,
                        pixels,
                        new long[] {rows, 3, r, r},
                        ClipGraphWriter.OUTPUT_IMAGE));
        List<String> prompts = List.of("a blue triangle on a white background", "on red, a square");
        long[] ids = tokenizer.tokenizeBatch(prompts);
        assertClose(
                model.embedTexts(ids, prompts.size()),
                OrtRunner.runLong(
                        onnx.textEncoder(),
                        ClipGraphWriter.INPUT_IDS,
                        ids,
                        new long[] {prompts.size(), tokenizer.contextLength()},
                        ClipGraphWriter.OUTPUT_TEXT));
    }

    /**
     * The world CLIP's text tower with a small convolutional image tower (4, 8, 8 channels, 16
     * hidden), seeded: a model that trains in seconds.
     */
    static ClipModel smallConvModel(ClipTokenizer tokenizer, long seed) {
        return ClipModel.initialize(
                WorldClip.architecture(32),
                new ConvImageTower(32, List.of(4, 8, 8), 16, 32),
                WorldClip.trainedTokens(tokenizer),
                tokenizer.endOfTextId(),
                new SplittableRandom(seed));
    }

    static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        System.err.printf("SameDiff vs ONNX Runtime: max |diff| %.3g over %d values%n", max, expected.length);
        assertTrue(max <= TOLERANCE, "max |SameDiff - ONNX| = " + max);
    }
}
