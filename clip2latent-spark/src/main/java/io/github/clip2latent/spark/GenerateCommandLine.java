package io.github.clip2latent.spark;

import io.github.clip2latent.train.dataset.DatasetSpec;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The command line of {@link SparkGenerate}, parsed by picocli as the project's other commands are:
 * {@code train generate}'s option names and defaults (without {@code --shard}), plus the bundle's
 * shipping and ONNX Runtime's threads per task. Parsing only; {@link GenerateOptions} is what the
 * job (and every task) carries.
 */
@Command(
        name = "spark-submit --class io.github.clip2latent.spark.SparkGenerate JOB.jar",
        synopsisHeading = "usage: ",
        customSynopsis = {
            "usage: spark-submit --class io.github.clip2latent.spark.SparkGenerate JOB.jar \\",
            "         --bundle DIR --out URI --samples N [options]"
        },
        description = {
            "",
            "Generates N pairs z -> w -> image -> CLIP image embedding on Spark, one task per"
                    + " shard, with the same bytes as 'clip2latent train generate' for the same"
                    + " options. Re-running skips complete shards.",
            ""
        },
        sortOptions = false,
        mixinStandardHelpOptions = true)
final class GenerateCommandLine {

    @Option(
            names = "--bundle",
            paramLabel = "DIR",
            required = true,
            description = "source bundle on the driver (shipped to executors)")
    String bundle;

    @Option(
            names = "--shared-bundle",
            description = "DIR is readable at the same path on every executor; ship nothing")
    boolean sharedBundle;

    @Option(
            names = "--out",
            paramLabel = "URI",
            required = true,
            description = "dataset folder: file:/..., hdfs://..., s3a://...")
    String out;

    @Option(names = "--samples", paramLabel = "N", required = true, description = "number of pairs")
    long samples;

    @Option(
            names = "--shard-size",
            paramLabel = "N",
            defaultValue = "10000",
            description = "pairs per shard file (one Spark task each); default ${DEFAULT-VALUE}")
    int shardSize;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "0",
            description = "dataset seed; default ${DEFAULT-VALUE}")
    long seed;

    @Option(
            names = "--stats-samples",
            paramLabel = "N",
            defaultValue = "" + DatasetSpec.REFERENCE_STATS_SAMPLES,
            description = "leading rows of the latent mean/std; default ${DEFAULT-VALUE}")
    int statsSamples;

    @Option(
            names = "--pre-resize",
            paramLabel = "N",
            defaultValue = "0",
            description = "area-resize images to N px before CLIP (0: none); default ${DEFAULT-VALUE}")
    int preResize;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "64",
            description = "rows per generator/encoder call; default ${DEFAULT-VALUE}")
    int batch;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "ONNX Runtime threads per task (0: one per core); default ${DEFAULT-VALUE}")
    int threads;

    private GenerateCommandLine() {}

    /**
     * A parser for the job's arguments.
     *
     * @return a picocli command line over a fresh options holder
     */
    static CommandLine parser() {
        return new CommandLine(new GenerateCommandLine());
    }

    /**
     * Parses and validates the arguments.
     *
     * @throws IllegalArgumentException naming the option and the bad value
     */
    static GenerateOptions parse(String... args) {
        CommandLine parser = parser();
        try {
            parser.parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return parser.<GenerateCommandLine>getCommand().options();
    }

    private GenerateOptions options() {
        return new GenerateOptions(
                bundle,
                out,
                samples,
                shardSize,
                seed,
                statsSamples,
                preResize,
                batch,
                threads,
                sharedBundle);
    }
}
