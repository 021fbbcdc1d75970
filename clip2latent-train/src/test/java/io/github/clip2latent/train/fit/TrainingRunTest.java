package io.github.clip2latent.train.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.runtime.PriorNetwork;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.train.checkpoint.CheckpointFiles;
import io.github.clip2latent.train.dataset.DatasetGenerator;
import io.github.clip2latent.train.dataset.DatasetManifest;
import io.github.clip2latent.train.dataset.DatasetSpec;
import io.github.clip2latent.train.dataset.ShardSelection;
import io.github.clip2latent.train.dataset.ShardedDataset;
import io.github.clip2latent.train.export.PriorExporter;
import io.github.clip2latent.train.loop.RowRange;
import io.github.clip2latent.train.loop.TrainerConfig;
import io.github.clip2latent.train.loop.TrainerState;
import io.github.clip2latent.train.optim.AdamWConfig;
import io.github.clip2latent.train.optim.EmaConfig;
import io.github.clip2latent.train.validate.SelectionScore;
import io.github.clip2latent.train.validate.ValidationOptions;
import io.github.clip2latent.train.validate.ValidationResult;
import io.github.clip2latent.train.validate.Validator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real training on a generated dataset: a tiny random bundle (RandomBundles tiny: D = C = 16, 16 x
 * 16 images) makes 3,000 (w, e) pairs through ONNX Runtime, the fit driver trains a 2-block prior
 * with SameDiff, validates its EMA weights, keeps the best checkpoint, and the export samples
 * through the public API.
 */
class TrainingRunTest {

    static final PriorConfig MODEL = new PriorConfig(16, 2, 2, 8, 1000);
    static final int SAMPLES = 3000;
    static final int HOLDOUT = 256;
    static final int STEPS = 150;
    static final List<String> PROMPTS = List.of("a red circle", "an old man with glasses");

    /**
     * Conditioned samples must land at most 0.8 times as far from the true w as unconditional ones.
     * A network that ignores the condition scores about 1 (1.06 measured at step 0, where the
     * weights are random); the unconditional distance is the spread of w itself, so 0.8 asks the
     * image embedding to explain a clear part of w. Measured 0.60 to 0.64 from step 100 on, so the
     * bound has margin.
     */
    static final double MAX_DISTANCE_RATIO = 0.8;

    @TempDir static Path dir;
    static ModelBundle bundle;
    static Path data;
    static Path run;
    static TrainerConfig config;
    static FitOptions options;
    static FitResult result;
    static List<String> lines = new ArrayList<>();

    @BeforeAll
    static void trainOnce() throws IOException {
        long t0 = System.nanoTime();
        bundle = RandomBundles.write(dir.resolve("bundle"), RandomBundles.Spec.tiny(), 1);
        data = dir.resolve("data");
        try (DatasetGenerator generator = DatasetGenerator.open(bundle, RuntimeOptions.cpu())) {
            generator.generate(
                    data,
                    DatasetSpec.of(SAMPLES, 1000, 3).withBatchSize(250),
                    ShardSelection.ALL,
                    lines::add);
        }
        long t1 = System.nanoTime();
        config = config(MODEL);
        options = options(STEPS);
        run = dir.resolve("run");
        result =
                TrainingRun.fit(
                        data,
                        bundle,
                        run,
                        config,
                        options,
                        RuntimeOptions.cpu(),
                        line -> {
                            System.out.println(line);
                            lines.add(line);
                        });
        System.out.printf(
                "TrainingRunTest: dataset %.1f s, fit %.1f s, %.3f s/step (batch %d)%n",
                (t1 - t0) / 1e9,
                (System.nanoTime() - t1) / 1e9,
                result.secondsPerStep(),
                config.batchSize());
    }

    /**
     * Faster than the reference for a small problem: AdamW 3e-3 (1e-4 takes thousands of steps),
     * EMA 0.95 after step 20 (0.99999 would not move in 150 steps), batch 32; dropout 0.2 and
     * pseudo-text alpha 1.0 as the reference.
     */
    static TrainerConfig config(PriorConfig model) {
        return new TrainerConfig(
                model,
                new AdamWConfig(3e-3, 0.9, 0.999, 1e-6, 0.01),
                new EmaConfig(0.95, 20),
                32,
                0.2,
                1.0,
                7,
                1000,
                10_000);
    }

    static FitOptions options(long steps) {
        return new FitOptions(
                steps,
                50,
                2,
                steps / 2,
                HOLDOUT,
                25,
                ValidationOptions.defaults(PROMPTS).withPairs(HOLDOUT, 64),
                SelectionScore.IMAGE_SIMILARITY);
    }

    @Test
    void validationLossHalvesAndTheConditionSteersSamplesTowardsTheTrueLatent() {
        List<ValidationResult> v = result.validations();
        assertEquals(
                List.of(0L, (long) STEPS / 2, (long) STEPS),
                v.stream().map(ValidationResult::step).toList());
        ValidationResult first = v.get(0);
        ValidationResult last = v.get(v.size() - 1);
        double lossRatio = last.loss() / first.loss();
        System.out.printf(
                "LEARN loss %.4f -> %.4f (x%.3f), distance ratio %.3f -> %.3f, image similarity"
                        + " %.3f -> %.3f%n",
                first.loss(),
                last.loss(),
                lossRatio,
                first.distanceRatio(),
                last.distanceRatio(),
                first.imageSimilarity(),
                last.imageSimilarity());
        assertTrue(lossRatio < 0.5, "validation loss " + first.loss() + " -> " + last.loss());
        assertTrue(
                last.distanceRatio() < MAX_DISTANCE_RATIO,
                "distance ratio " + last.distanceRatio());
        assertTrue(
                last.imageSimilarity() > first.imageSimilarity(),
                "image similarity did not improve");
        assertTrue(Double.isFinite(last.clipScore()), "CLIP score measured");
    }

    @Test
    void progressLinesCarryRateAndEtaAndTheBestCheckpointIsKept() throws IOException {
        assertTrue(
                lines.stream()
                        .anyMatch(
                                l ->
                                        l.startsWith("fit: step 25/" + STEPS)
                                                && l.contains("s/step")
                                                && l.contains("ETA")),
                String.join("\n", lines));
        assertEquals(STEPS, result.endStep());
        assertNotNull(result.best());
        ValidationResult bestValidation =
                result.validations().stream()
                        .max((a, b) -> Double.compare(a.imageSimilarity(), b.imageSimilarity()))
                        .orElseThrow();
        assertEquals(bestValidation.step(), result.bestStep());
        assertEquals(result.bestStep(), CheckpointFiles.read(result.best()).step());
        assertEquals(result.best(), TrainingRun.exportCheckpoint(run));
        try (Stream<Path> files = Files.list(run.resolve(TrainingRun.CHECKPOINTS))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            // keep = 2, no temporary file left behind
            assertEquals(List.of("step-000000000100.ckpt", "step-000000000150.ckpt"), names);
        }
    }

    @Test
    void exportedBundleMatchesTheTrainedNetworkAndSamplesThroughTheApi() throws IOException {
        TrainerState best = CheckpointFiles.read(result.best());
        Path target = dir.resolve("exported");
        String dataset = TrainingRun.describeDataset(data, DatasetManifest.read(data));
        ModelBundle exported = PriorExporter.export(best, bundle, target, "trained-test", dataset);

        assertEquals("trained-test", exported.manifest().id());
        assertEquals(
                Long.toString(best.step()),
                exported.manifest().provenance().get(PriorExporter.STEPS));
        assertEquals("7", exported.manifest().provenance().get(PriorExporter.SEED));
        assertEquals(dataset, exported.manifest().provenance().get(PriorExporter.DATASET));
        assertTrue(
                exported.manifest()
                        .provenance()
                        .get(PriorExporter.CONFIG)
                        .contains("\"batchSize\":32"));
        LatentStats datasetStats = DatasetGenerator.readStats(data);
        assertArrayEquals(datasetStats.mean(), exported.latentStats().mean());
        assertArrayEquals(datasetStats.std(), exported.latentStats().std());

        // The ONNX prior of the bundle validates to the numbers the SameDiff EMA network got in
        // training.
        ValidationResult trained =
                result.validations().stream()
                        .filter(v -> v.step() == best.step())
                        .findFirst()
                        .orElseThrow();
        ShardedDataset all = ShardedDataset.open(data);
        try (Validator validator =
                        Validator.open(
                                bundle,
                                RuntimeOptions.cpu(),
                                RowRange.of(all, SAMPLES - HOLDOUT, SAMPLES),
                                options.validation());
                PriorNetwork prior =
                        PriorNetwork.open(exported, new SessionFactory(RuntimeOptions.cpu()));
                PriorNetwork.Runner runner = prior.newRunner()) {
            ValidationResult onnx = validator.validate(best.step(), runner, exported.latentStats());
            System.out.println(
                    "EXPORT samediff "
                            + trained.describe()
                            + "\nEXPORT onnx     "
                            + onnx.describe());
            assertEquals(trained.loss(), onnx.loss(), 1e-4 * trained.loss());
            assertEquals(trained.conditionedDistance(), onnx.conditionedDistance(), 1e-3);
            assertEquals(trained.imageSimilarity(), onnx.imageSimilarity(), 1e-3);
        }

        try (Clip2Latent model = Clip2Latent.load(target, RuntimeOptions.cpu())) {
            SampleResult sample = model.prompt("a red circle").samples(2).seed(5).sample();
            assertEquals("trained-test", sample.bundleId());
            assertEquals(2, sample.count());
            for (float value : sample.w()) {
                assertTrue(Float.isFinite(value));
            }
        }
    }

    @Test
    void rerunResumesFromTheNewestCheckpointAndRejectsAnotherDataset() throws IOException {
        // A copy, so the other tests see the run as the first fit left it.
        Path copy = dir.resolve("run-copy");
        try (Stream<Path> files = Files.walk(run)) {
            for (Path p : files.toList()) {
                Files.copy(p, copy.resolve(run.relativize(p).toString()));
            }
        }
        List<String> resumed = new ArrayList<>();
        FitResult more =
                TrainingRun.fit(
                        data,
                        bundle,
                        copy,
                        config,
                        options(STEPS + 5),
                        RuntimeOptions.cpu(),
                        resumed::add);
        assertEquals(STEPS, more.startStep());
        assertEquals(STEPS + 5, more.endStep());
        assertTrue(
                resumed.get(0).startsWith("fit: resuming from ")
                        && resumed.get(0).contains("step-000000000150"),
                resumed.get(0));

        // A dataset with other pairs (another seed) cannot continue this run.
        Path other = dir.resolve("other-data");
        try (DatasetGenerator generator = DatasetGenerator.open(bundle, RuntimeOptions.cpu())) {
            generator.generate(
                    other,
                    DatasetSpec.of(SAMPLES, 1000, 4).withBatchSize(250),
                    ShardSelection.ALL,
                    line -> {});
        }
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                TrainingRun.fit(
                                        other,
                                        bundle,
                                        copy,
                                        config,
                                        options(STEPS + 10),
                                        RuntimeOptions.cpu(),
                                        line -> {}));
        assertTrue(
                e.getMessage().contains(copy.toString())
                        && e.getMessage().contains("another dataset"),
                e.getMessage());
    }

    /** The same run, longer: loss and distance ratio keep improving. */
    @Test
    @Tag("slow")
    void longerRunKeepsImproving(@TempDir Path runDir) throws IOException {
        FitResult longer =
                TrainingRun.fit(
                        data,
                        bundle,
                        runDir,
                        config,
                        options(600),
                        RuntimeOptions.cpu(),
                        System.out::println);
        ValidationResult first = longer.validations().get(0);
        ValidationResult last = longer.validations().get(longer.validations().size() - 1);
        System.out.printf(
                "LEARN-600 loss %.4f -> %.4f, distance ratio %.3f%n",
                first.loss(), last.loss(), last.distanceRatio());
        assertTrue(last.loss() < 0.4 * first.loss());
        assertTrue(last.distanceRatio() < 0.7);
    }
}
