package io.github.clip2latent.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleRequest;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.train.checkpoint.CheckpointFiles;
import io.github.clip2latent.train.dataset.DatasetGenerator;
import io.github.clip2latent.train.dataset.DatasetManifest;
import io.github.clip2latent.train.dataset.DatasetSpec;
import io.github.clip2latent.train.dataset.ShardSelection;
import io.github.clip2latent.train.export.PriorExporter;
import io.github.clip2latent.train.fit.FitOptions;
import io.github.clip2latent.train.fit.FitResult;
import io.github.clip2latent.train.fit.TrainingRun;
import io.github.clip2latent.train.loop.TrainerConfig;
import io.github.clip2latent.train.loop.TrainerState;
import io.github.clip2latent.train.optim.AdamWConfig;
import io.github.clip2latent.train.optim.EmaConfig;
import io.github.clip2latent.train.validate.SelectionScore;
import io.github.clip2latent.train.validate.ValidationOptions;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code clip2latent train generate|fit|export|eval}: the paper's prior training on a bundle's own
 * generator and image encoder (docs/training.md).
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Trains a clip2latent prior: generate a dataset, fit, export a bundle, eval.",
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n")
final class TrainCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "no train command given");
    }

    /** {@code train generate}. */
    @Command(
            name = "generate",
            mixinStandardHelpOptions = true,
            description = {
                "Makes (w, CLIP image embedding) training pairs z -> w -> image -> embedding from a"
                        + " bundle's generator and image encoder, in shards.",
                "Re-running skips complete shards; --shard i/n lets n machines split the shards of"
                        + " one dataset."
            })
    static final class Generate implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin BundleOption bundle;

        @Mixin RuntimeOption runtime;

        @Option(
                names = "--out",
                paramLabel = "DIR",
                required = true,
                description = "dataset folder (created; an existing one must match)")
        Path out;

        @Option(names = "--samples", paramLabel = "N", required = true, description = "pairs")
        long samples;

        @Option(
                names = "--shard-size",
                paramLabel = "N",
                defaultValue = "10000",
                description = "pairs per shard file (default: ${DEFAULT-VALUE})")
        int shardSize;

        @Option(
                names = "--seed",
                paramLabel = "N",
                defaultValue = "0",
                description = "dataset seed (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(
                names = "--shard",
                paramLabel = "i/n",
                defaultValue = "0/1",
                converter = ShardConverter.class,
                description =
                        "generate only the shards k with k %% n == i (default: ${DEFAULT-VALUE})")
        ShardSelection shard;

        @Option(
                names = "--stats-samples",
                paramLabel = "N",
                defaultValue = "" + DatasetSpec.REFERENCE_STATS_SAMPLES,
                description = "leading rows of the latent mean and std (default: ${DEFAULT-VALUE})")
        int statsSamples;

        @Option(
                names = "--pre-resize",
                paramLabel = "N",
                defaultValue = "0",
                description =
                        "area-resize images to N px before CLIP; 0 is none (default:"
                                + " ${DEFAULT-VALUE})")
        int preResize;

        @Option(
                names = "--batch",
                paramLabel = "N",
                defaultValue = "64",
                description = "rows per generator and encoder call (default: ${DEFAULT-VALUE})")
        int batch;

        @Override
        public Integer call() throws IOException {
            PrintWriter stdout = spec.commandLine().getOut();
            DatasetSpec dataset =
                    Checks.usage(
                            spec,
                            () ->
                                    new DatasetSpec(
                                            samples,
                                            shardSize,
                                            seed,
                                            statsSamples,
                                            preResize,
                                            batch));
            ModelBundle source = ModelBundle.open(bundle.directory());
            try (DatasetGenerator generator = DatasetGenerator.open(source, runtime.options())) {
                int made = generator.generate(out, dataset, shard, stdout::println);
                stdout.println(
                        "generate: " + made + " shard(s) written to " + out.toAbsolutePath());
            }
            return 0;
        }
    }

    /** Parses {@code i/n}; the message of {@link ShardSelection#parse} names the problem. */
    static final class ShardConverter implements ITypeConverter<ShardSelection> {
        @Override
        public ShardSelection convert(String text) {
            return ShardSelection.parse(text);
        }
    }

    /** {@code train fit}. */
    @Command(
            name = "fit",
            mixinStandardHelpOptions = true,
            description = {
                "Trains the prior with the reference objective; checkpoints atomically into"
                        + " RUN/checkpoints, validates the EMA weights every --validate-every steps"
                        + " on the last --holdout pairs (never trained on) and keeps the best"
                        + " checkpoint as RUN/best.ckpt.",
                "Re-running continues from the newest checkpoint up to --steps."
            })
    static final class Fit implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin BundleOption bundle;

        @Mixin RuntimeOption runtime;

        @Option(
                names = "--dataset",
                paramLabel = "DIR",
                required = true,
                description = "generated dataset (from the same bundle)")
        Path dataset;

        @Option(names = "--run", paramLabel = "DIR", required = true, description = "run folder")
        Path run;

        @Option(
                names = "--steps",
                paramLabel = "N",
                required = true,
                description = "total optimizer steps")
        long steps;

        @Option(
                names = "--batch",
                paramLabel = "N",
                defaultValue = "512",
                description = "pairs per step (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(
                names = "--model",
                paramLabel = "NAME",
                defaultValue = "paper",
                description =
                        "paper (12 blocks, 12 heads of 64), small (4, 4 of 32), tiny (2, 2 of 8) or"
                                + " DEPTH:HEADS:DIM_HEAD; the width is the dataset's (default:"
                                + " ${DEFAULT-VALUE})")
        String model;

        @Option(
                names = "--lr",
                paramLabel = "X",
                defaultValue = "1e-4",
                description = "AdamW learning rate (default: ${DEFAULT-VALUE})")
        double lr;

        @Option(
                names = "--alpha",
                paramLabel = "X",
                defaultValue = "1.0",
                description = "pseudo-text noise strength; 0 is off (default: ${DEFAULT-VALUE})")
        double alpha;

        @Option(
                names = "--dropout",
                paramLabel = "X",
                defaultValue = "0.2",
                description = "condition dropout probability (default: ${DEFAULT-VALUE})")
        double dropout;

        @Option(
                names = "--ema-beta",
                paramLabel = "X",
                defaultValue = "0.99999",
                description = "EMA decay (default: ${DEFAULT-VALUE})")
        double emaBeta;

        @Option(
                names = "--ema-start",
                paramLabel = "N",
                defaultValue = "1000",
                description =
                        "the EMA equals the online weights up to this step (default:"
                                + " ${DEFAULT-VALUE})")
        long emaStart;

        @Option(
                names = "--shuffle-buffer",
                paramLabel = "N",
                defaultValue = "10000",
                description = "shuffle buffer slots (default: ${DEFAULT-VALUE})")
        int shuffleBuffer;

        @Option(
                names = "--checkpoint-every",
                paramLabel = "N",
                defaultValue = "1000",
                description = "steps between checkpoints (default: ${DEFAULT-VALUE})")
        long checkpointEvery;

        @Option(
                names = "--keep",
                paramLabel = "N",
                defaultValue = "3",
                description = "periodic checkpoints kept (default: ${DEFAULT-VALUE})")
        int keep;

        @Option(
                names = "--validate-every",
                paramLabel = "N",
                defaultValue = "1000",
                description = "steps between validations (default: ${DEFAULT-VALUE})")
        long validateEvery;

        @Option(
                names = "--holdout",
                paramLabel = "N",
                defaultValue = "1024",
                description = "trailing pairs held out for validation (default: ${DEFAULT-VALUE})")
        int holdout;

        @Option(
                names = "--prompts",
                paramLabel = "FILE",
                description = "one prompt per line, for the CLIP score of validation")
        Path prompts;

        @Option(
                names = "--select",
                paramLabel = "NAME",
                description =
                        "the best-checkpoint score: ${COMPLETION-CANDIDATES} (default: CLIP_SCORE"
                                + " with --prompts, else IMAGE_SIMILARITY)")
        SelectionScore select;

        @Option(
                names = "--log-every",
                paramLabel = "N",
                defaultValue = "100",
                description = "steps between progress lines (default: ${DEFAULT-VALUE})")
        long logEvery;

        @Option(
                names = "--seed",
                paramLabel = "N",
                defaultValue = "0",
                description = "run seed (default: ${DEFAULT-VALUE})")
        long seed;

        @Override
        public Integer call() throws IOException {
            Checks.existingDirectory(spec, "--dataset", dataset);
            Path bundleDir = bundle.directory();
            List<String> promptList =
                    prompts == null
                            ? List.of()
                            : readPrompts(Checks.existingFile(spec, "--prompts", prompts));
            ValidationOptions validation = ValidationOptions.defaults(promptList);
            SelectionScore selection =
                    select != null ? select : SelectionScore.defaultFor(validation);
            if (selection == SelectionScore.CLIP_SCORE && promptList.isEmpty()) {
                throw Checks.usageError(spec, "--select CLIP_SCORE needs --prompts");
            }
            FitOptions options =
                    Checks.usage(
                            spec,
                            () ->
                                    new FitOptions(
                                            steps,
                                            checkpointEvery,
                                            keep,
                                            validateEvery,
                                            holdout,
                                            logEvery,
                                            validation,
                                            selection));
            ModelBundle source = ModelBundle.open(bundleDir);
            DatasetManifest manifest = DatasetManifest.read(dataset);
            PriorConfig prior =
                    Checks.usage(
                            spec,
                            () ->
                                    model(
                                            model,
                                            manifest.latentDim(),
                                            source.manifest().timesteps()));
            TrainerConfig config =
                    Checks.usage(
                            spec,
                            () ->
                                    new TrainerConfig(
                                            prior,
                                            new AdamWConfig(lr, 0.9, 0.999, 1e-6, 0.01),
                                            new EmaConfig(emaBeta, emaStart),
                                            batch,
                                            dropout,
                                            alpha,
                                            seed,
                                            shuffleBuffer,
                                            DatasetSpec.REFERENCE_STATS_SAMPLES));
            PrintWriter stdout = spec.commandLine().getOut();
            FitResult result =
                    TrainingRun.fit(
                            dataset,
                            source,
                            run,
                            config,
                            options,
                            runtime.options(),
                            stdout::println);
            stdout.printf(
                    Locale.ROOT,
                    "fit: done, steps %d -> %d, %.3f s/step, best %s%n",
                    result.startStep(),
                    result.endStep(),
                    result.secondsPerStep(),
                    result.best() == null
                            ? "none"
                            : String.format(
                                    Locale.ROOT,
                                    "%s (step %d, %s %.4f)",
                                    result.best(),
                                    result.bestStep(),
                                    selection,
                                    result.bestScore()));
            return 0;
        }
    }

    /**
     * A preset or DEPTH:HEADS:DIM_HEAD, at the dataset's width and the bundle's schedule length.
     */
    static PriorConfig model(String name, int dim, int timesteps) {
        return switch (name) {
            case "paper" -> new PriorConfig(dim, 12, 12, 64, timesteps);
            case "small" -> new PriorConfig(dim, 4, 4, 32, timesteps);
            case "tiny" -> new PriorConfig(dim, 2, 2, 8, timesteps);
            default -> {
                String[] parts = name.split(":");
                try {
                    if (parts.length == 3) {
                        yield new PriorConfig(
                                dim,
                                Integer.parseInt(parts[0]),
                                Integer.parseInt(parts[1]),
                                Integer.parseInt(parts[2]),
                                timesteps);
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw new IllegalArgumentException(
                        "--model must be paper, small, tiny or DEPTH:HEADS:DIM_HEAD, got '"
                                + name
                                + "'");
            }
        };
    }

    /** {@code train export}. */
    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = {
                "Writes a new bundle: the source bundle's stages with the prior replaced by the"
                        + " checkpoint's EMA weights and the run's latent stats.",
                "From a run folder, the best checkpoint is used if there is one, else the newest."
            })
    static final class Export implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin BundleOption bundle;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source from;

        /** {@code --run} or {@code --checkpoint}, exactly one. */
        static final class Source {
            @Option(
                    names = "--run",
                    paramLabel = "DIR",
                    description = "run folder (uses best.ckpt, else the newest checkpoint)")
            Path run;

            @Option(names = "--checkpoint", paramLabel = "FILE", description = "a checkpoint file")
            Path checkpoint;
        }

        @Option(
                names = "--out",
                paramLabel = "DIR",
                required = true,
                description = "new bundle folder (must not exist or be empty)")
        Path out;

        @Option(
                names = "--id",
                paramLabel = "ID",
                description = "new bundle id (default: <source id>-prior-<steps>)")
        String id;

        @Option(
                names = "--dataset",
                paramLabel = "TEXT",
                description = "dataset description for provenance (default: from RUN/run.json)")
        String dataset;

        @Override
        public Integer call() throws IOException {
            Path checkpoint =
                    from.run != null
                            ? TrainingRun.exportCheckpoint(
                                    Checks.existingDirectory(spec, "--run", from.run))
                            : Checks.existingFile(spec, "--checkpoint", from.checkpoint);
            ModelBundle source = ModelBundle.open(bundle.directory());
            TrainerState state = CheckpointFiles.read(checkpoint);
            String description = dataset != null ? dataset : datasetFromRun(checkpoint);
            String bundleId = id != null ? id : source.manifest().id() + "-prior-" + state.step();
            ModelBundle written = PriorExporter.export(state, source, out, bundleId, description);
            spec.commandLine()
                    .getOut()
                    .println(
                            "export: wrote bundle '"
                                    + written.manifest().id()
                                    + "' to "
                                    + written.directory()
                                    + " from "
                                    + checkpoint
                                    + " (step "
                                    + state.step()
                                    + ")");
            return 0;
        }

        /** The dataset description in the run.json next to (or above) a checkpoint. */
        private static String datasetFromRun(Path checkpoint) throws IOException {
            Path dir = checkpoint.toAbsolutePath().getParent();
            for (int i = 0; i < 2 && dir != null; i++, dir = dir.getParent()) {
                Path runFile = dir.resolve(TrainingRun.RUN_FILE);
                if (Files.isRegularFile(runFile)) {
                    return new ObjectMapper()
                            .readTree(runFile.toFile())
                            .path("dataset")
                            .asText("unknown");
                }
            }
            return "unknown";
        }
    }

    /** {@code train eval}. */
    @Command(
            name = "eval",
            mixinStandardHelpOptions = true,
            description =
                    "Samples each prompt through the bundle and prints the mean CLIP score (cosine"
                            + " between each image's CLIP embedding and the prompt's), per prompt"
                            + " and overall.")
    static final class Eval implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin BundleOption bundle;

        @Mixin SamplingOptions sampling;

        @Mixin RuntimeOption runtime;

        @Option(
                names = "--prompts",
                paramLabel = "FILE",
                required = true,
                description = "one prompt per line (blank lines and # comments skipped)")
        Path prompts;

        @Option(
                names = "--samples",
                paramLabel = "N",
                defaultValue = "4",
                description = "images per prompt (default: ${DEFAULT-VALUE})")
        int samples;

        @Option(
                names = "--seed",
                paramLabel = "N",
                defaultValue = "0",
                description = "seed (default: ${DEFAULT-VALUE})")
        long seed;

        @Override
        public Integer call() throws IOException {
            List<String> list = readPrompts(Checks.existingFile(spec, "--prompts", prompts));
            Checks.usage(spec, () -> configure(SampleRequest.builder().prompt("x")).build());
            Path bundleDir = bundle.directory();
            PrintWriter stdout = spec.commandLine().getOut();
            long start = System.nanoTime();
            double total = 0;
            try (Clip2Latent model = Clip2Latent.load(bundleDir, runtime.options())) {
                for (int i = 0; i < list.size(); i++) {
                    String prompt = list.get(i);
                    SampleResult result =
                            Checks.usage(spec, () -> configure(model.prompt(prompt)).sample());
                    double mean = 0;
                    for (float s : result.clipScores()) {
                        mean += s / result.count();
                    }
                    total += mean;
                    double seconds = (System.nanoTime() - start) / 1e9;
                    stdout.printf(
                            Locale.ROOT,
                            "eval: %d/%d CLIP score %.4f  \"%s\"  (%.2f prompts/s, ETA %.0f s)%n",
                            i + 1,
                            list.size(),
                            mean,
                            prompt,
                            (i + 1) / seconds,
                            seconds / (i + 1) * (list.size() - i - 1));
                }
                stdout.printf(
                        Locale.ROOT,
                        "eval: bundle '%s', %d prompts x %d samples, mean CLIP score %.4f%n",
                        model.bundle().manifest().id(),
                        list.size(),
                        samples,
                        total / list.size());
            }
            return 0;
        }

        private SampleRequest.Builder configure(SampleRequest.Builder b) {
            return sampling.applyTo(b).samples(samples).seed(seed);
        }
    }

    /** Non-blank lines that are not {@code #} comments. */
    static List<String> readPrompts(Path file) throws IOException {
        List<String> prompts =
                Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                        .map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                        .toList();
        if (prompts.isEmpty()) {
            throw new IOException("prompts file " + file.toAbsolutePath() + " has no prompt");
        }
        return prompts;
    }
}
