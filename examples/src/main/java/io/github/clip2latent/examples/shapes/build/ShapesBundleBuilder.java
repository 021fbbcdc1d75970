package io.github.clip2latent.examples.shapes.build;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.clip2latent.bundle.BundleManifest;
import io.github.clip2latent.bundle.BundleWriter;
import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.bundle.TextCalibration;
import io.github.clip2latent.examples.shapes.quality.BenchmarkPrompts;
import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.ShapesGraphs;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.convert.prior.PriorGraphWriter;
import io.github.clip2latent.convert.prior.PriorWeights;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.tokenizer.ClipTokenizer;
import io.github.clip2latent.train.checkpoint.CheckpointFiles;
import io.github.clip2latent.examples.shapes.clip.ClipOnnxModels;
import io.github.clip2latent.train.dataset.DatasetGenerator;
import io.github.clip2latent.train.dataset.DatasetSpec;
import io.github.clip2latent.train.dataset.ProgressListener;
import io.github.clip2latent.train.dataset.ShardSelection;
import io.github.clip2latent.train.export.PriorExporter;
import io.github.clip2latent.train.fit.FitOptions;
import io.github.clip2latent.train.fit.FitResult;
import io.github.clip2latent.train.fit.TrainingRun;
import io.github.clip2latent.train.loop.TrainerConfig;
import io.github.clip2latent.train.optim.AdamWConfig;
import io.github.clip2latent.train.optim.EmaConfig;
import io.github.clip2latent.train.validate.SelectionScore;
import io.github.clip2latent.train.validate.ValidationOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the shapes-world bundle from nothing but seeds, with the library's own code: the world's
 * generator graphs, a CLIP trained on rendered images and captions, the (w, e_i) dataset, and a
 * clip2latent prior trained as the paper does (z-scored w, pseudo-text noise, condition dropout
 * 0.2, EMA). Intermediate results go to a work folder; re-running resumes the dataset and the
 * prior. Run it with {@code ./clip2latent build-shapes}.
 */
public final class ShapesBundleBuilder {

    /**
     * The CLIP stage's record of the plan that trained it ({@link #planFacts} as a JSON object), in
     * the work folder's {@code clip}.
     */
    static final String CLIP_PLAN_FILE = "plan.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ShapesBundleBuilder() {}

    /** Runs every stage of {@code plan}; {@code out} must not exist yet. */
    public static ModelBundle build(BuildPlan plan, Path work, Path out, ProgressListener progress)
            throws IOException {
        Files.createDirectories(work);
        ShapesWorld world = ShapesWorld.create(plan.worldSeed());
        Path stage1 = work.resolve("stage1");
        if (!Files.exists(stage1.resolve(BundleManifest.FILE_NAME))) {
            Path uncalibrated = work.resolve("stage1-uncalibrated");
            if (!Files.exists(uncalibrated.resolve(BundleManifest.FILE_NAME))) {
                writeStage1(world, plan, work, uncalibrated, progress);
            }
            ModelBundle encoders = ModelBundle.open(uncalibrated);
            checkSamePlan(uncalibrated, encoders.manifest().provenance(), plan);
            TextCalibration calibration = WorldTextCalibration.measure(encoders, world);
            progress.progress(
                    String.format(
                            Locale.ROOT,
                            "text calibration: the prior's condition is mean image + %.3f (text -"
                                    + " mean text), measured on %d scenes and their captions",
                            calibration.scale(),
                            WorldTextCalibration.SCENES));
            BundleWriter.basedOn(encoders, stage1)
                    .textCalibration(calibration)
                    .provenance(
                            "shapes.textCalibration",
                            "WorldTextCalibration, "
                                    + WorldTextCalibration.SCENES
                                    + " scenes, seed "
                                    + WorldTextCalibration.SEED)
                    .write();
        }
        ModelBundle base = ModelBundle.open(stage1);
        checkSamePlan(stage1, base.manifest().provenance(), plan);

        Path dataset = work.resolve("dataset");
        progress.progress("dataset: " + plan.datasetSamples() + " (w, e) pairs");
        try (DatasetGenerator generator = DatasetGenerator.open(base, RuntimeOptions.cpu())) {
            generator.generate(
                    dataset,
                    DatasetSpec.of(plan.datasetSamples(), 10_000, plan.seed()).withBatchSize(256),
                    ShardSelection.ALL,
                    progress);
        }

        Path run =
                work.resolve(
                        String.format(
                                Locale.ROOT,
                                "run-alpha-%.2f-steps-%d",
                                plan.pseudoTextAlpha(),
                                plan.priorSteps()));
        TrainerConfig config =
                new TrainerConfig(
                        plan.prior(),
                        new AdamWConfig(plan.learningRate(), 0.9, 0.999, 1e-6, 0.01),
                        new EmaConfig(plan.emaBeta(), plan.emaStart()),
                        plan.priorBatch(),
                        0.2,
                        plan.pseudoTextAlpha(),
                        plan.seed(),
                        10_000,
                        10_000);
        List<String> prompts =
                BenchmarkPrompts.captions().stream().limit(24).map(Caption::text).toList();
        FitOptions options =
                new FitOptions(
                        plan.priorSteps(),
                        Math.max(100, plan.priorSteps() / 10),
                        2,
                        Math.max(100, plan.priorSteps() / 4),
                        1024,
                        100,
                        ValidationOptions.defaults(prompts).withPairs(512, 64),
                        SelectionScore.CLIP_SCORE);
        FitResult fit =
                TrainingRun.fit(
                        dataset, base, run, config, options, RuntimeOptions.cpu(), progress);
        progress.progress(
                String.format(
                        Locale.ROOT,
                        "prior: trained to step %d, best step %d (CLIP score %.4f)",
                        fit.endStep(),
                        fit.bestStep(),
                        fit.bestScore()));
        Path checkpoint = TrainingRun.exportCheckpoint(run);
        String id =
                String.format(
                        Locale.ROOT,
                        "shapes-world-v5%s%s",
                        plan.pseudoTextAlpha() == BuildPlan.standard().pseudoTextAlpha()
                                ? ""
                                : "-alpha"
                                        + java.math.BigDecimal.valueOf(plan.pseudoTextAlpha())
                                                .stripTrailingZeros()
                                                .toPlainString(),
                        plan.seed() == BuildPlan.standard().seed() ? "" : "-seed" + plan.seed());
        ModelBundle result =
                PriorExporter.export(
                        CheckpointFiles.read(checkpoint),
                        base,
                        out,
                        id,
                        TrainingRun.describeDataset(
                                dataset,
                                io.github.clip2latent.train.dataset.DatasetManifest.read(dataset)));
        return result;
    }

    /**
     * What a work stage must have been made with to be reused: the world seed, the build seed and
     * the CLIP's steps, under the provenance keys the stage's manifest records them with.
     */
    static Map<String, String> planFacts(BuildPlan plan) {
        Map<String, String> facts = new TreeMap<>();
        facts.put("shapes.buildSeed", Long.toString(plan.seed()));
        facts.put("shapes.clipSteps", Integer.toString(plan.clipSteps()));
        facts.put("shapes.worldSeed", Long.toString(plan.worldSeed()));
        return facts;
    }

    /**
     * Refuses to resume from a work stage that another plan made (another seed or CLIP budget): it
     * would silently carry that plan's CLIP into this one's bundle.
     *
     * @param stage the stage's folder, named in the message
     * @param made the facts the stage recorded (its manifest's provenance, or the CLIP's stamp)
     * @param plan the plan being built
     * @throws IOException naming the folder, what it was made with and what the plan asks for
     */
    static void checkSamePlan(Path stage, Map<String, String> made, BuildPlan plan)
            throws IOException {
        Map<String, String> wanted = planFacts(plan);
        Map<String, String> found = new TreeMap<>();
        wanted.keySet().forEach(key -> found.put(key, made.getOrDefault(key, "(not recorded)")));
        if (!found.equals(wanted)) {
            throw new IOException(
                    "work stage "
                            + stage
                            + " was made by another build plan: it records "
                            + found
                            + ", this build needs "
                            + wanted
                            + "; give another --work folder or delete this one");
        }
    }

    /**
     * The world's graphs, its CLIP and a placeholder prior: everything the dataset generator needs.
     */
    private static void writeStage1(
            ShapesWorld world, BuildPlan plan, Path work, Path stage1, ProgressListener progress)
            throws IOException {
        Path tokenizerDir = work.resolve("tokenizer");
        Files.createDirectories(tokenizerDir);
        ClipTokenizer tokenizer = WorldClip.writeTokenizer(tokenizerDir);
        progress.progress(
                "tokenizer: OpenAI CLIP BPE, "
                        + tokenizer.vocabularySize()
                        + " tokens, "
                        + WorldClip.trainedTokens(tokenizer).size()
                        + " trained");
        // The trained CLIP is kept in the work folder first, so a failure after the longest stage
        // does not cost the training again.
        Path clipDir = work.resolve("clip");
        if (!Files.exists(clipDir.resolve(ClipOnnxModels.IMAGE_ENCODER_FILE))) {
            ClipOnnxModels clip =
                    WorldClip.train(
                            world,
                            tokenizer,
                            BuildPlan.WIDTH,
                            plan.clipSteps(),
                            plan.clipBatch(),
                            plan.seed(),
                            progress);
            Files.createDirectories(clipDir);
            clip.writeTo(clipDir);
            JSON.writeValue(clipDir.resolve(CLIP_PLAN_FILE).toFile(), planFacts(plan));
        } else {
            Path stamp = clipDir.resolve(CLIP_PLAN_FILE);
            Map<String, String> made =
                    Files.exists(stamp)
                            ? JSON.readValue(stamp.toFile(), new TypeReference<>() {})
                            : Map.of();
            checkSamePlan(clipDir, made, plan);
            progress.progress("world CLIP: reusing " + clipDir);
        }
        BundleWriter writer =
                BundleWriter.to(stage1)
                        .id("shapes-world-stage1")
                        .description("shapes world: generator, world CLIP, untrained prior")
                        .dimensions(
                                ShapesWorld.W_DIM,
                                ShapesWorld.NUM_WS,
                                ShapesWorld.Z_DIM,
                                BuildPlan.WIDTH,
                                ShapesWorld.IMAGE_SIZE)
                        .graph(Stage.MAPPING, ShapesGraphs.mapping(world).toByteArray())
                        .graph(Stage.SYNTHESIS, ShapesGraphs.synthesis(world).toByteArray())
                        .graph(
                                Stage.PRIOR,
                                PriorGraphWriter.build(
                                                PriorWeights.random(plan.prior(), plan.seed()),
                                                "untrained placeholder")
                                        .toByteArray())
                        .openAiTokenizer(
                                tokenizerDir.resolve(WorldClip.BPE_FILE),
                                tokenizer.mergeCount(),
                                WorldClip.CONTEXT_LENGTH)
                        .knownTokenIds(
                                java.util.Arrays.stream(WorldClip.trainedTokens(tokenizer).ids())
                                        .boxed()
                                        .toList())
                        .latentStats(world.latentStats(10_000, plan.seed()))
                        .provenance("builder", ShapesBundleBuilder.class.getName());
        planFacts(plan).forEach(writer::provenance);
        writer.graph(
                        Stage.TEXT_ENCODER,
                        Files.readAllBytes(clipDir.resolve(ClipOnnxModels.TEXT_ENCODER_FILE)))
                .graph(
                        Stage.IMAGE_ENCODER,
                        Files.readAllBytes(clipDir.resolve(ClipOnnxModels.IMAGE_ENCODER_FILE)))
                .preprocessing(ImagePreprocessing.clip(WorldClip.IMAGE_INPUT_SIZE));
        writer.write();
    }
}
