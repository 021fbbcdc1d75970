package io.github.clip2latent.train.fit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.files.AtomicFiles;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.train.checkpoint.CheckpointFiles;
import io.github.clip2latent.train.checkpoint.Checkpointer;
import io.github.clip2latent.train.dataset.DatasetGenerator;
import io.github.clip2latent.train.dataset.DatasetManifest;
import io.github.clip2latent.train.dataset.ProgressListener;
import io.github.clip2latent.train.dataset.ShardedDataset;
import io.github.clip2latent.train.loop.RowRange;
import io.github.clip2latent.train.loop.Trainer;
import io.github.clip2latent.train.loop.TrainerConfig;
import io.github.clip2latent.train.loop.TrainerState;
import io.github.clip2latent.train.validate.ValidationResult;
import io.github.clip2latent.train.validate.Validator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Drives a training run in a run folder: trains from a generated dataset, saves atomic checkpoints
 * periodically, resumes from the newest one when called again, prints progress lines with rate and
 * ETA, validates the EMA weights every K steps and keeps the checkpoint with the best validation
 * score apart from the periodic ones.
 *
 * <p>Run folder layout: {@value #RUN_FILE} (which dataset and hold-out the run uses, checked on
 * resume), {@code checkpoints/step-<12 digits>.ckpt}, {@value #BEST_FILE} and {@value #BEST_INFO}
 * (the best checkpoint and its validation). The last {@code holdout} rows of the dataset are never
 * trained on.
 */
public final class TrainingRun {

    /** The run description file. */
    public static final String RUN_FILE = "run.json";

    /** The periodic checkpoints' folder. */
    public static final String CHECKPOINTS = "checkpoints";

    /** The best checkpoint by validation score. */
    public static final String BEST_FILE = "best.ckpt";

    /** The best checkpoint's step and validation. */
    public static final String BEST_INFO = "best.json";

    /** The next best checkpoint while it is being committed. */
    static final String BEST_NEXT = "best.ckpt.next";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingRun() {}

    /**
     * Trains until {@code options.steps()}, resuming from the run folder's newest checkpoint if
     * there is one.
     *
     * @param datasetDir a complete dataset made by {@code DatasetGenerator} from {@code bundle}
     * @param bundle the bundle the dataset was generated from (its generator and encoders validate)
     * @param runDir the run folder, created if missing
     * @param config the run configuration; ignored when resuming, where the checkpoint's is used
     * @param options steps, intervals, hold-out and validation
     * @param runtime ONNX Runtime options of validation
     * @param progress receives progress lines
     * @return what this call did
     * @throws IOException naming the path and the problem for a missing, incomplete or incompatible
     *     dataset or run folder, or when writing fails
     */
    public static FitResult fit(
            Path datasetDir,
            ModelBundle bundle,
            Path runDir,
            TrainerConfig config,
            FitOptions options,
            RuntimeOptions runtime,
            ProgressListener progress)
            throws IOException {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(progress, "progress");
        if (config.betaSchedule() != bundle.manifest().betaSchedule()) {
            // The bundle's schedule is the one the prior is sampled with: train on it.
            progress.progress(
                    "fit: training on the bundle's "
                            + bundle.manifest().betaSchedule().manifestName()
                            + " noise schedule");
            config = config.withBetaSchedule(bundle.manifest().betaSchedule());
        }
        ShardedDataset dataset = ShardedDataset.open(datasetDir);
        checkCompatible(dataset, bundle, config);
        long rows = dataset.size();
        if (options.holdout() * 2L > rows) {
            throw new IOException(
                    "dataset at "
                            + datasetDir
                            + " has "
                            + rows
                            + " pairs, too few to hold out "
                            + options.holdout()
                            + " for validation (at most half)");
        }
        RowRange train = RowRange.of(dataset, 0, rows - options.holdout());
        RowRange heldOut = RowRange.of(dataset, rows - options.holdout(), rows);

        Files.createDirectories(runDir);
        removeOrphans(runDir, progress);
        removeOrphans(runDir.resolve(CHECKPOINTS), progress);
        recoverBest(runDir);
        checkOrWriteRunFile(runDir, dataset, options.holdout());
        Checkpointer checkpointer =
                new Checkpointer(
                        runDir.resolve(CHECKPOINTS),
                        options.checkpointEvery(),
                        options.keepCheckpoints());
        Trainer trainer;
        Optional<Path> latest = Optional.empty();
        TrainerState state = null;
        List<String> unreadable = new ArrayList<>();
        for (Path candidate : Checkpointer.newestFirst(runDir.resolve(CHECKPOINTS))) {
            try {
                state = CheckpointFiles.read(candidate);
                latest = Optional.of(candidate);
                break;
            } catch (IOException | RuntimeException e) {
                // A corrupt newest checkpoint: fall back to the older ones kept.
                unreadable.add(candidate + ": " + e.getMessage());
                progress.progress(
                        "fit: cannot read "
                                + candidate
                                + " ("
                                + e.getMessage()
                                + "); trying an older checkpoint");
            }
        }
        if (state == null && !unreadable.isEmpty()) {
            throw new IOException(
                    "no readable checkpoint in "
                            + runDir.resolve(CHECKPOINTS)
                            + ": "
                            + String.join("; ", unreadable));
        }
        if (latest.isPresent()) {
            if (state.config().betaSchedule() != bundle.manifest().betaSchedule()) {
                throw new IOException(
                        latest.get()
                                + " was trained on the "
                                + state.config().betaSchedule().manifestName()
                                + " noise schedule, bundle "
                                + bundle.directory()
                                + " declares "
                                + bundle.manifest().betaSchedule().manifestName());
            }
            trainer = Trainer.resume(state, train);
            progress.progress("fit: resuming from " + latest.get() + " at step " + state.step());
            if (!state.config().equals(config)) {
                progress.progress(
                        "fit: note: the run's saved configuration is used, not the one given: "
                                + state.config());
            }
        } else {
            LatentStats stats =
                    Files.isRegularFile(datasetDir.resolve(DatasetGenerator.LATENT_MEAN))
                            ? DatasetGenerator.readStats(datasetDir)
                            : null;
            trainer =
                    stats != null
                            ? Trainer.create(config, train, stats)
                            : Trainer.create(config, train);
            progress.progress(
                    String.format(
                            Locale.ROOT,
                            "fit: new run in %s: %s, %,d parameters, %d training and %d"
                                    + " held-out pairs",
                            runDir,
                            config.model(),
                            config.model().parameterCount(),
                            train.size(),
                            heldOut.size()));
        }

        Best best = Best.read(runDir);
        List<ValidationResult> validations = new ArrayList<>();
        long startStep = trainer.stepCount();
        float lastLoss = Float.NaN;
        long trainNanos = 0;
        try (Validator validator = Validator.open(bundle, runtime, heldOut, options.validation())) {
            if (startStep == 0) {
                best = validate(trainer, validator, options, runDir, best, validations, progress);
            }
            double windowLoss = 0;
            int windowSteps = 0;
            long windowStart = System.nanoTime();
            while (trainer.stepCount() < options.steps()) {
                long t0 = System.nanoTime();
                lastLoss = trainer.step();
                trainNanos += System.nanoTime() - t0;
                windowLoss += lastLoss;
                windowSteps++;
                long step = trainer.stepCount();
                if (step % options.logEvery() == 0 || step == options.steps()) {
                    double seconds = (System.nanoTime() - windowStart) / 1e9;
                    double perStep = seconds / windowSteps;
                    progress.progress(
                            String.format(
                                    Locale.ROOT,
                                    "fit: step %d/%d, loss %.4f, %.3f s/step (%.1f steps/s), ETA"
                                            + " %s",
                                    step,
                                    options.steps(),
                                    windowLoss / windowSteps,
                                    perStep,
                                    1 / perStep,
                                    ProgressListener.eta((options.steps() - step) * perStep)));
                    windowLoss = 0;
                    windowSteps = 0;
                    windowStart = System.nanoTime();
                }
                // Validate first, then checkpoint: a resume starts from the newest checkpoint and
                // does not validate it again, so a step must not be checkpointed before its
                // validation has reached best.ckpt (a kill in between left best.ckpt at step 0).
                if (step % options.validateEvery() == 0 || step == options.steps()) {
                    best =
                            validate(
                                    trainer,
                                    validator,
                                    options,
                                    runDir,
                                    best,
                                    validations,
                                    progress);
                }
                checkpointer
                        .maybeSave(trainer)
                        .ifPresent(file -> progress.progress("fit: saved " + file));
            }
        }
        long endStep = trainer.stepCount();
        if (endStep > startStep && endStep % options.checkpointEvery() != 0) {
            progress.progress("fit: saved " + checkpointer.save(trainer));
        }
        long ran = endStep - startStep;
        return new FitResult(
                startStep,
                endStep,
                lastLoss,
                ran > 0 ? trainNanos / 1e9 / ran : Double.NaN,
                validations,
                best.step >= 0 ? runDir.resolve(BEST_FILE) : null,
                best.step,
                best.score);
    }

    /**
     * The checkpoint to export from a run folder: the best one if validation picked one, else the
     * newest.
     *
     * @param runDir a run folder
     * @return the checkpoint file
     * @throws IOException naming the folder if it holds no checkpoint
     */
    public static Path exportCheckpoint(Path runDir) throws IOException {
        recoverBest(runDir);
        Path best = runDir.resolve(BEST_FILE);
        if (Files.isRegularFile(best)) {
            return best;
        }
        return Checkpointer.latest(runDir.resolve(CHECKPOINTS))
                .orElseThrow(
                        () ->
                                new IOException(
                                        "no checkpoint in run folder "
                                                + runDir
                                                + " (neither "
                                                + BEST_FILE
                                                + " nor "
                                                + CHECKPOINTS
                                                + "/step-*.ckpt)"));
    }

    /**
     * A one-line description of a dataset for provenance: folder name, source bundle, size and
     * seed. Only the folder's name: a bundle must not carry the absolute (often temporary) paths
     * of the machine that built it.
     *
     * @param dir the dataset folder
     * @param manifest its manifest
     * @return the description
     */
    public static String describeDataset(Path dir, DatasetManifest manifest) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return (name == null ? "dataset" : name.toString())
                + " (bundle "
                + manifest.bundleId()
                + ", "
                + manifest.spec().samples()
                + " pairs, seed "
                + manifest.spec().seed()
                + ")";
    }

    private static ValidationResult validateOnly(Trainer trainer, Validator validator) {
        return validator.validate(
                trainer.stepCount(),
                trainer.config().model(),
                trainer.emaWeights(),
                trainer.latentStats());
    }

    private static Best validate(
            Trainer trainer,
            Validator validator,
            FitOptions options,
            Path runDir,
            Best best,
            List<ValidationResult> validations,
            ProgressListener progress)
            throws IOException {
        long t0 = System.nanoTime();
        ValidationResult result = validateOnly(trainer, validator);
        validations.add(result);
        double score = result.score(options.selection());
        progress.progress(
                result.describe()
                        + String.format(Locale.ROOT, " [%.1f s]", (System.nanoTime() - t0) / 1e9));
        if (!Double.isNaN(score) && (best.step < 0 || score > best.score)) {
            // Checkpoint first, then the record naming it: a crash in between leaves an older
            // record
            // whose score is no better than the file's.
            // best.ckpt and best.json change together or not at all: the checkpoint goes to
            // best.ckpt.next, the record naming its step is the commit point, then the rename.
            // recoverBest finishes or rolls back a pair cut by a kill.
            Path next = runDir.resolve(BEST_NEXT);
            CheckpointFiles.write(next, trainer.state());
            Best updated = new Best(result.step(), score);
            ObjectNode root = JSON.createObjectNode();
            root.put("step", result.step());
            root.put("selection", options.selection().name());
            root.put("score", score);
            root.set("validation", JSON.valueToTree(result));
            AtomicFiles.writeString(
                    runDir.resolve(BEST_INFO), JSON.writeValueAsString(root) + "\n");
            AtomicFiles.move(next, runDir.resolve(BEST_FILE));
            progress.progress(
                    String.format(
                            Locale.ROOT,
                            "fit: new best %s %.4f at step %d -> %s",
                            options.selection(),
                            score,
                            result.step(),
                            runDir.resolve(BEST_FILE)));
            return updated;
        }
        return best;
    }

    private static void checkCompatible(
            ShardedDataset dataset, ModelBundle bundle, TrainerConfig config) throws IOException {
        DatasetManifest m = dataset.manifest();
        Path dir = dataset.directory();
        if (!m.bundleId().equals(bundle.manifest().id())) {
            throw new IOException(
                    "dataset at "
                            + dir
                            + " was generated from bundle '"
                            + m.bundleId()
                            + "', not from '"
                            + bundle.manifest().id()
                            + "' at "
                            + bundle.directory());
        }
        int dim = config.model().dim();
        if (m.latentDim() != dim || m.embeddingDim() != dim) {
            throw new IOException(
                    "dataset at "
                            + dir
                            + " has latentDim "
                            + m.latentDim()
                            + " and embeddingDim "
                            + m.embeddingDim()
                            + ", incompatible with the model dim "
                            + dim);
        }
        if (bundle.manifest().timesteps() != config.model().timesteps()) {
            throw new IOException(
                    "bundle "
                            + bundle.directory()
                            + " has "
                            + bundle.manifest().timesteps()
                            + " timesteps, the model "
                            + config.model().timesteps());
        }
    }

    private static void checkOrWriteRunFile(Path runDir, ShardedDataset dataset, int holdout)
            throws IOException {
        DatasetManifest m = dataset.manifest();
        ObjectNode wanted = JSON.createObjectNode();
        wanted.put("datasetBundleId", m.bundleId());
        wanted.put("datasetSamples", m.spec().samples());
        wanted.put("datasetSeed", m.spec().seed());
        wanted.put("datasetShardSize", m.spec().shardSize());
        wanted.put("holdout", holdout);
        Path file = runDir.resolve(RUN_FILE);
        if (Files.isRegularFile(file)) {
            JsonNode existing = JSON.readTree(file.toFile());
            ObjectNode facts = existing.deepCopy();
            facts.remove("dataset");
            // Compared as re-read JSON: a long written and read back becomes an int node.
            if (!facts.equals(JSON.readTree(JSON.writeValueAsString(wanted)))) {
                throw new IOException(
                        "run folder "
                                + runDir
                                + " was trained on another dataset or hold-out: "
                                + file
                                + " says "
                                + facts
                                + ", the dataset at "
                                + dataset.directory()
                                + " gives "
                                + wanted);
            }
            return;
        }
        wanted.put("dataset", describeDataset(dataset.directory(), m));
        AtomicFiles.writeString(file, JSON.writeValueAsString(wanted) + "\n");
    }

    /**
     * Finishes or rolls back a best-checkpoint commit cut short: {@code best.ckpt.next} is renamed
     * to {@code best.ckpt} if {@code best.json} already names its step (the commit happened), else
     * deleted. Afterwards best.ckpt and best.json agree.
     */
    static void recoverBest(Path runDir) throws IOException {
        Path next = runDir.resolve(BEST_NEXT);
        if (!Files.exists(next)) {
            return;
        }
        long recorded = -1;
        Path info = runDir.resolve(BEST_INFO);
        if (Files.isRegularFile(info)) {
            recorded = JSON.readTree(info.toFile()).path("step").asLong(-1);
        }
        long staged;
        try {
            staged = CheckpointFiles.read(next).step();
        } catch (IOException | RuntimeException e) {
            staged = -2; // partial: never committed
        }
        if (staged == recorded) {
            AtomicFiles.move(next, runDir.resolve(BEST_FILE));
        } else {
            Files.delete(next);
        }
    }

    /** Deletes the temporary files of writes a kill cut short, saying so. */
    private static void removeOrphans(Path dir, ProgressListener progress) throws IOException {
        for (Path orphan : AtomicFiles.removeOrphans(dir)) {
            progress.progress("fit: removed " + orphan + ", left by an interrupted write");
        }
    }

    /** The best validation so far: step -1 when there is none. */
    private record Best(long step, double score) {

        static Best read(Path runDir) throws IOException {
            Path file = runDir.resolve(BEST_INFO);
            if (!Files.isRegularFile(file) || !Files.isRegularFile(runDir.resolve(BEST_FILE))) {
                return new Best(-1, Double.NaN);
            }
            JsonNode root = JSON.readTree(file.toFile());
            return new Best(root.path("step").asLong(-1), root.path("score").asDouble(Double.NaN));
        }
    }
}
