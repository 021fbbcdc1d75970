package io.github.clip2latent.train.cli;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.runtime.RuntimeOptions;
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

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The training command line: {@code generate}, {@code fit}, {@code export} and {@code eval}, each
 * with {@code --help}. Exit codes: 0 success, 1 failure while running (message names the path and
 * problem), 2 a command line that cannot be run.
 *
 * <pre>
 * mvn -q -pl clip2latent-train -am exec:java -Dexec.args="fit --help"
 * </pre>
 */
public final class TrainCommand {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String MAIN_HELP =
            """
            usage: clip2latent-train <command> [options]

            commands:
              generate  make (w, CLIP image embedding) training pairs from a bundle's generator and image encoder
              fit       train the prior on a generated dataset (resumes the run folder's newest checkpoint)
              export    write a new bundle with a run's trained prior (EMA weights) and the dataset's latent stats
              eval      CLIP score of a bundle's images for a file of prompts

            '<command> --help' describes its options.
            """;

    private static final String GENERATE_HELP =
            """
            usage: clip2latent-train generate --bundle DIR --out DIR --samples N [options]

            Generates N pairs z -> w -> image -> CLIP image embedding into shards; re-running skips complete
            shards, and --shard i/n lets n machines split the shards of one dataset.

              --bundle DIR          source bundle (generator and image encoder)          required
              --out DIR             dataset folder (created; an existing one must match)  required
              --samples N           number of pairs                                       required
              --shard-size N        pairs per shard file                                  default 10000
              --seed N              dataset seed                                          default 0
              --shard i/n           generate only shards k with k % n == i                default 0/1
              --stats-samples N     leading rows of the latent mean/std                   default 10000
              --pre-resize N        area-resize images to N px before CLIP (0: none)      default 0
              --batch N             rows per generator/encoder call                       default 64
            """;

    private static final String FIT_HELP =
            """
            usage: clip2latent-train fit --dataset DIR --bundle DIR --run DIR --steps N [options]

            Trains the prior with the reference objective; checkpoints atomically into RUN/checkpoints,
            validates the EMA weights every --validate-every steps on the last --holdout pairs (never
            trained on) and keeps the best checkpoint as RUN/best.ckpt. Re-running continues from the
            newest checkpoint up to --steps.

              --dataset DIR         generated dataset                                     required
              --bundle DIR          the bundle the dataset came from                      required
              --run DIR             run folder                                            required
              --steps N             total optimizer steps                                 required
              --batch N             pairs per step                                        default 512
              --model NAME          paper (12 blocks, 12 heads of 64), small (4, 4 of 32), tiny (2, 2 of 8),
                                    or DEPTH:HEADS:DIM_HEAD; the width is the dataset's  default paper
              --lr X                AdamW learning rate                                   default 1e-4
              --alpha X             pseudo-text noise strength (0: off)                   default 1.0
              --dropout X           condition dropout probability                         default 0.2
              --ema-beta X          EMA decay                                             default 0.99999
              --ema-start N         EMA equals the online weights up to this step         default 1000
              --shuffle-buffer N    shuffle buffer slots                                  default 10000
              --checkpoint-every N  steps between checkpoints                              default 1000
              --keep N              periodic checkpoints kept                              default 3
              --validate-every N    steps between validations                              default 1000
              --holdout N           trailing pairs held out for validation                 default 1024
              --prompts FILE        one prompt per line, for the CLIP score (best-checkpoint score)
              --select NAME         clip_score, image_similarity or negative_loss   default: clip_score with
                                    --prompts, else image_similarity
              --log-every N         steps between progress lines                           default 100
              --seed N              run seed                                               default 0
            """;

    private static final String EXPORT_HELP =
            """
            usage: clip2latent-train export (--run DIR | --checkpoint FILE) --bundle DIR --out DIR [--id ID]

            Writes a new bundle: the source bundle's stages with the prior replaced by the checkpoint's EMA
            weights and the run's latent stats. From a run folder, the best checkpoint is used if there is
            one, else the newest.

              --run DIR             run folder (uses best.ckpt, else the newest checkpoint)
              --checkpoint FILE     a checkpoint file instead
              --bundle DIR          source bundle (the dataset's)                          required
              --out DIR             new bundle folder (must not exist or be empty)         required
              --id ID               new bundle id                       default <source id>-prior-<steps>
              --dataset TEXT        dataset description for provenance       default: from RUN/run.json
            """;

    private static final String EVAL_HELP =
            """
            usage: clip2latent-train eval --bundle DIR --prompts FILE [options]

            Samples each prompt through the bundle and prints the mean CLIP score (cosine between each
            image's CLIP embedding and the prompt's), per prompt and overall.

              --bundle DIR          bundle to evaluate                                     required
              --prompts FILE        one prompt per line (blank lines and # comments skipped) required
              --samples N           images per prompt                                      default 4
              --guidance X          classifier-free guidance                               default 2
              --skip N              timestep respacing                                     default 250
              --seed N              seed                                                   default 0
            """;

    private TrainCommand() {}

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        // ONNX Runtime's start-up crash with long class paths is handled where the environment is
        // made
        // (io.github.clip2latent.runtime.SessionFactory), so no special thread is needed here.
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments
     * @param out progress and results
     * @param err error messages
     * @return the exit code: 0 success, 1 failure, 2 bad command line
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0
                || args[0].equals("--help")
                || args[0].equals("-h")
                || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(MAIN_HELP);
            return args.length == 0 ? USAGE : OK;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        String help =
                switch (command) {
                    case "generate" -> GENERATE_HELP;
                    case "fit" -> FIT_HELP;
                    case "export" -> EXPORT_HELP;
                    case "eval" -> EVAL_HELP;
                    default -> null;
                };
        if (help == null) {
            err.println("unknown command '" + command + "'");
            err.print(MAIN_HELP);
            return USAGE;
        }
        if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
            out.print(help);
            return OK;
        }
        try {
            switch (command) {
                case "generate" -> generate(rest, out);
                case "fit" -> fit(rest, out);
                case "export" -> export(rest, out);
                default -> eval(rest, out);
            }
            return OK;
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            return USAGE;
        } catch (IOException
                | UncheckedIOException
                | IllegalArgumentException
                | IllegalStateException e) {
            err.println("error: " + command + ": " + e.getMessage());
            return FAILED;
        }
    }

    private static void generate(String[] args, PrintStream out) throws IOException {
        Options o =
                Options.parse(
                        "generate",
                        args,
                        Set.of(
                                "bundle",
                                "out",
                                "samples",
                                "shard-size",
                                "seed",
                                "shard",
                                "stats-samples",
                                "pre-resize",
                                "batch"),
                        Set.of());
        Path bundleDir = o.existingDirectory("bundle");
        Path outDir = Path.of(o.string("out"));
        long samples = o.requiredLong("samples");
        DatasetSpec spec =
                o.check(
                        () ->
                                new DatasetSpec(
                                        samples,
                                        o.intValue("shard-size", 10_000),
                                        o.longValue("seed", 0),
                                        o.intValue(
                                                "stats-samples",
                                                DatasetSpec.REFERENCE_STATS_SAMPLES),
                                        o.intValue("pre-resize", 0),
                                        o.intValue("batch", 64)));
        ShardSelection selection =
                o.check("shard", () -> ShardSelection.parse(o.string("shard", "0/1")));
        ModelBundle bundle = ModelBundle.open(bundleDir);
        try (DatasetGenerator generator = DatasetGenerator.open(bundle, RuntimeOptions.cpu())) {
            int made = generator.generate(outDir, spec, selection, out::println);
            out.println("generate: " + made + " shard(s) written to " + outDir.toAbsolutePath());
        }
    }

    private static void fit(String[] args, PrintStream out) throws IOException {
        Options o =
                Options.parse(
                        "fit",
                        args,
                        Set.of(
                                "dataset",
                                "bundle",
                                "run",
                                "steps",
                                "batch",
                                "model",
                                "lr",
                                "alpha",
                                "dropout",
                                "ema-beta",
                                "ema-start",
                                "shuffle-buffer",
                                "checkpoint-every",
                                "keep",
                                "validate-every",
                                "holdout",
                                "prompts",
                                "select",
                                "log-every",
                                "seed"),
                        Set.of());
        Path datasetDir = o.existingDirectory("dataset");
        Path bundleDir = o.existingDirectory("bundle");
        Path runDir = Path.of(o.string("run"));
        long steps = o.requiredLong("steps");
        List<String> prompts =
                o.has("prompts") ? readPrompts(o.existingFile("prompts")) : List.of();
        ModelBundle bundle = ModelBundle.open(bundleDir);
        DatasetManifest manifest = DatasetManifest.read(datasetDir);
        PriorConfig model =
                o.check(
                        "model",
                        () ->
                                model(
                                        o.string("model", "paper"),
                                        manifest.latentDim(),
                                        bundle.manifest().timesteps()));
        long seed = o.longValue("seed", 0);
        TrainerConfig config =
                o.check(
                        () ->
                                new TrainerConfig(
                                        model,
                                        new AdamWConfig(
                                                o.doubleValue("lr", 1e-4), 0.9, 0.999, 1e-6, 0.01),
                                        new EmaConfig(
                                                o.doubleValue("ema-beta", 0.99999),
                                                o.longValue("ema-start", 1000)),
                                        o.intValue("batch", 512),
                                        o.doubleValue("dropout", 0.2),
                                        o.doubleValue("alpha", 1.0),
                                        seed,
                                        o.intValue("shuffle-buffer", 10_000),
                                        DatasetSpec.REFERENCE_STATS_SAMPLES));
        ValidationOptions validation = ValidationOptions.defaults(prompts);
        SelectionScore selection =
                o.has("select")
                        ? o.check(
                                "select",
                                () ->
                                        SelectionScore.valueOf(
                                                o.string("select").toUpperCase(Locale.ROOT)))
                        : SelectionScore.defaultFor(validation);
        if (selection == SelectionScore.CLIP_SCORE && prompts.isEmpty()) {
            throw new UsageException("fit: --select clip_score needs --prompts");
        }
        FitOptions options =
                o.check(
                        () ->
                                new FitOptions(
                                        steps,
                                        o.longValue("checkpoint-every", 1000),
                                        o.intValue("keep", 3),
                                        o.longValue("validate-every", 1000),
                                        o.intValue("holdout", 1024),
                                        o.longValue("log-every", 100),
                                        validation,
                                        selection));
        FitResult result =
                TrainingRun.fit(
                        datasetDir,
                        bundle,
                        runDir,
                        config,
                        options,
                        RuntimeOptions.cpu(),
                        out::println);
        out.printf(
                Locale.ROOT,
                "fit: done, steps %d -> %d, %.3f s/step, best %s%n",
                result.startStep(),
                result.endStep(),
                result.secondsPerStep(),
                result.best() == null
                        ? "none"
                        : result.best()
                                + " (step "
                                + result.bestStep()
                                + ", "
                                + selection
                                + " "
                                + String.format(Locale.ROOT, "%.4f", result.bestScore())
                                + ")");
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
                if (parts.length != 3) {
                    throw new IllegalArgumentException(
                            "model must be paper, small, tiny or DEPTH:HEADS:DIM_HEAD, got '"
                                    + name
                                    + "'");
                }
                try {
                    yield new PriorConfig(
                            dim,
                            Integer.parseInt(parts[0]),
                            Integer.parseInt(parts[1]),
                            Integer.parseInt(parts[2]),
                            timesteps);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "model must be paper, small, tiny or DEPTH:HEADS:DIM_HEAD, got '"
                                    + name
                                    + "'",
                            e);
                }
            }
        };
    }

    private static void export(String[] args, PrintStream out) throws IOException {
        Options o =
                Options.parse(
                        "export",
                        args,
                        Set.of("run", "checkpoint", "bundle", "out", "id", "dataset"),
                        Set.of());
        if (o.has("run") == o.has("checkpoint")) {
            throw new UsageException("export: give exactly one of --run DIR and --checkpoint FILE");
        }
        Path checkpoint =
                o.has("run")
                        ? TrainingRun.exportCheckpoint(o.existingDirectory("run"))
                        : o.existingFile("checkpoint");
        Path bundleDir = o.existingDirectory("bundle");
        Path target = Path.of(o.string("out"));
        ModelBundle source = ModelBundle.open(bundleDir);
        TrainerState state = CheckpointFiles.read(checkpoint);
        String dataset = o.string("dataset", datasetFromRun(checkpoint));
        String id = o.string("id", source.manifest().id() + "-prior-" + state.step());
        ModelBundle written = PriorExporter.export(state, source, target, id, dataset);
        out.println(
                "export: wrote bundle '"
                        + written.manifest().id()
                        + "' to "
                        + written.directory()
                        + " from "
                        + checkpoint
                        + " (step "
                        + state.step()
                        + ")");
    }

    /** The dataset description in the run.json next to (or above) a checkpoint, or "unknown". */
    private static String datasetFromRun(Path checkpoint) throws IOException {
        Path dir = checkpoint.toAbsolutePath().getParent();
        for (int i = 0; i < 2 && dir != null; i++, dir = dir.getParent()) {
            Path run = dir.resolve(TrainingRun.RUN_FILE);
            if (Files.isRegularFile(run)) {
                return new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(run.toFile())
                        .path("dataset")
                        .asText("unknown");
            }
        }
        return "unknown";
    }

    private static void eval(String[] args, PrintStream out) throws IOException {
        Options o =
                Options.parse(
                        "eval",
                        args,
                        Set.of("bundle", "prompts", "samples", "guidance", "skip", "seed"),
                        Set.of());
        Path bundleDir = o.existingDirectory("bundle");
        List<String> prompts = readPrompts(o.existingFile("prompts"));
        int samples = o.intValue("samples", 4);
        double guidance = o.doubleValue("guidance", 2.0);
        int skip = o.intValue("skip", 250);
        long seed = o.longValue("seed", 0);
        long start = System.nanoTime();
        double total = 0;
        try (Clip2Latent model = Clip2Latent.load(bundleDir, RuntimeOptions.cpu())) {
            for (int i = 0; i < prompts.size(); i++) {
                String prompt = prompts.get(i);
                SampleResult result =
                        o.check(
                                () ->
                                        model.prompt(prompt)
                                                .samples(samples)
                                                .guidance(guidance)
                                                .skip(skip)
                                                .seed(seed)
                                                .sample());
                double mean = 0;
                for (float s : result.clipScores()) {
                    mean += s / result.count();
                }
                total += mean;
                double seconds = (System.nanoTime() - start) / 1e9;
                out.printf(
                        Locale.ROOT,
                        "eval: %d/%d CLIP score %.4f  \"%s\"  (%.2f prompts/s, ETA %.0f s)%n",
                        i + 1,
                        prompts.size(),
                        mean,
                        prompt,
                        (i + 1) / seconds,
                        seconds / (i + 1) * (prompts.size() - i - 1));
            }
            out.printf(
                    Locale.ROOT,
                    "eval: bundle '%s', %d prompts x %d samples, mean CLIP score %.4f%n",
                    model.bundle().manifest().id(),
                    prompts.size(),
                    samples,
                    total / prompts.size());
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
