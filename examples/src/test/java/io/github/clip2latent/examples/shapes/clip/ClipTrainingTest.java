package io.github.clip2latent.examples.shapes.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.image.ClipPreprocessor;
import io.github.clip2latent.tokenizer.ClipTokenizer;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains the small CLIP on the toy squares and checks held-out retrieval, in SameDiff and through
 * the exported ONNX graphs.
 */
class ClipTrainingTest {

    @TempDir Path dir;

    @Test
    void learnsColorsAndTheExportRetrievesTheSame() throws Exception {
        Result r = trainAndEvaluate(false, 80, 32);
        assertTrue(
                r.sameDiffAccuracy() > 0.9,
                "color retrieval accuracy " + r.sameDiffAccuracy() + " (chance 0.25)");
        assertEquals(
                r.sameDiffAccuracy(),
                r.onnxAccuracy(),
                1e-9,
                "ONNX retrieval differs from SameDiff's");
    }

    @Test
    @Tag("slow")
    void learnsColorsAndPositions() throws Exception {
        Result r = trainAndEvaluate(true, 400, 32);
        assertTrue(
                r.sameDiffAccuracy() > 0.9,
                "color+quadrant accuracy " + r.sameDiffAccuracy() + " (chance 1/16)");
        assertEquals(
                r.sameDiffAccuracy(),
                r.onnxAccuracy(),
                1e-9,
                "ONNX retrieval differs from SameDiff's");
    }

    private record Result(double sameDiffAccuracy, double onnxAccuracy) {}

    private Result trainAndEvaluate(boolean withPosition, int steps, int batchSize)
            throws Exception {
        ClipTokenizer tokenizer = ToySquares.tokenizer(dir);
        ClipConfig config = ClipConfig.defaults(tokenizer);
        ClipModel model = ClipModel.initialize(config, new SplittableRandom(1));
        ClipTrainer trainer = ClipTrainer.create(model, tokenizer, TrainingOptions.defaults());
        ToySquares world = new ToySquares(batchSize, withPosition);
        List<String> log = new ArrayList<>();
        TrainingSummary summary =
                trainer.train(
                        world,
                        steps,
                        new SplittableRandom(2),
                        (step, loss, accuracy) -> {
                            if (step % 20 == 0 || step == 1) {
                                log.add(
                                        String.format(
                                                "step %d loss %.4f acc %.3f",
                                                step, loss, accuracy));
                            }
                        });
        log.forEach(System.err::println);
        System.err.printf(
                "%s: %d steps of %d, first %.2f s, then %.4f s/step, logit scale %.3f, params %d%n",
                withPosition ? "colors+quadrants" : "colors",
                steps,
                batchSize,
                summary.firstStepSeconds(),
                summary.secondsPerStep(),
                summary.logitScale(),
                model.parameterCount());

        // Held out: fresh scenes, every (color, quadrant) four times, scored against distinct
        // captions.
        SplittableRandom evalRandom = new SplittableRandom(99);
        int s = config.imageSize();
        ClipPreprocessor preprocessor = new ClipPreprocessor(ImagePreprocessing.clip(s));
        ClipOnnxModels onnx = ClipOnnxExporter.export(model);
        double sumSameDiff = 0;
        double sumOnnx = 0;
        int rounds = 4;
        for (int round = 0; round < rounds; round++) {
            ContrastiveBatch batch = world.everyScene(evalRandom);
            int rows = batch.rows();
            float[] pixels = new float[rows * 3 * s * s];
            preprocessor.apply(batch.images(), rows, batch.height(), batch.width(), pixels);
            long[] ids = tokenizer.tokenizeBatch(batch.captions());
            float[] image = model.embedImages(pixels, rows);
            float[] text = model.embedTexts(ids, rows);
            sumSameDiff +=
                    Retrieval.topOneAccuracy(
                            image, text, rows, config.embeddingDim(), batch.captions());
            float[] onnxImage =
                    OrtRunner.runFloat(
                            onnx.imageEncoder(),
                            ClipModel.PIXEL_VALUES,
                            pixels,
                            new long[] {rows, 3, s, s},
                            ClipModel.IMAGE_EMBEDS);
            float[] onnxText =
                    OrtRunner.runLong(
                            onnx.textEncoder(),
                            ClipModel.INPUT_IDS,
                            ids,
                            new long[] {rows, tokenizer.contextLength()},
                            ClipModel.TEXT_EMBEDS);
            ClipOnnxParityTest.assertClose(image, onnxImage);
            ClipOnnxParityTest.assertClose(text, onnxText);
            sumOnnx +=
                    Retrieval.topOneAccuracy(
                            onnxImage, onnxText, rows, config.embeddingDim(), batch.captions());
        }
        System.err.printf(
                "held-out accuracy: SameDiff %.3f, ONNX %.3f%n",
                sumSameDiff / rounds, sumOnnx / rounds);
        return new Result(sumSameDiff / rounds, sumOnnx / rounds);
    }
}
