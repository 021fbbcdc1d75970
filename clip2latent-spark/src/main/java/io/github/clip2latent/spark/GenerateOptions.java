package io.github.clip2latent.spark;

import io.github.clip2latent.train.dataset.DatasetSpec;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The options of a Spark generation run: {@code train generate}'s options with the same names and
 * defaults (without {@code --shard}: Spark runs every shard), plus where the bundle comes from and
 * ONNX Runtime's threads per task. Serializable, because every task carries it.
 *
 * @param bundle the bundle folder on the driver, or with {@code sharedBundle} a folder every
 *     executor can read at this path
 * @param out the dataset folder, a Hadoop file system URI ({@code file:/...}, {@code hdfs://...},
 *     {@code s3a://...}) or a path on the default file system
 * @param samples total (w, e) pairs
 * @param shardSize pairs per shard (and per Spark task)
 * @param seed the dataset seed
 * @param statsSamples leading rows of the latent mean/std
 * @param preResize area-resize images to this size before CLIP, or 0
 * @param batch rows per generator / encoder call
 * @param threads ONNX Runtime intra-op threads per task, 0 for its default (one per core)
 * @param sharedBundle whether {@code bundle} is already readable on every executor (nothing is
 *     shipped)
 */
public record GenerateOptions(
        String bundle,
        String out,
        long samples,
        int shardSize,
        long seed,
        int statsSamples,
        int preResize,
        int batch,
        int threads,
        boolean sharedBundle)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The usage text. */
    public static final String HELP =
            """
            usage: spark-submit --class io.github.clip2latent.spark.SparkGenerate JOB.jar \\
                     --bundle DIR --out URI --samples N [options]

            Generates N pairs z -> w -> image -> CLIP image embedding on Spark, one task per shard, with the
            same bytes as 'clip2latent-train generate' for the same options. Re-running skips complete shards.

              --bundle DIR          source bundle on the driver (shipped to executors)    required
              --shared-bundle       DIR is readable at the same path on every executor; ship nothing
              --out URI             dataset folder: file:/..., hdfs://..., s3a://...     required
              --samples N           number of pairs                                       required
              --shard-size N        pairs per shard file (one Spark task each)            default 10000
              --seed N              dataset seed                                          default 0
              --stats-samples N     leading rows of the latent mean/std                   default 10000
              --pre-resize N        area-resize images to N px before CLIP (0: none)      default 0
              --batch N             rows per generator/encoder call                       default 64
              --threads N           ONNX Runtime threads per task (0: one per core)       default 0
            """;

    private static final Set<String> VALUED =
            Set.of(
                    "bundle",
                    "out",
                    "samples",
                    "shard-size",
                    "seed",
                    "stats-samples",
                    "pre-resize",
                    "batch",
                    "threads");
    private static final Set<String> FLAGS = Set.of("shared-bundle");

    /** Validates. */
    public GenerateOptions {
        if (bundle == null || bundle.isBlank()) {
            throw new IllegalArgumentException("--bundle is required");
        }
        if (out == null || out.isBlank()) {
            throw new IllegalArgumentException("--out is required");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        }
        // DatasetSpec checks the rest with its own messages.
        new DatasetSpec(samples, shardSize, seed, statsSamples, preResize, batch);
    }

    /** The generation spec, as {@code train generate} builds it from the same options. */
    public DatasetSpec spec() {
        return new DatasetSpec(samples, shardSize, seed, statsSamples, preResize, batch);
    }

    /**
     * Parses {@code --name value} and {@code --name=value} arguments.
     *
     * @throws IllegalArgumentException naming the option and the bad value
     */
    public static GenerateOptions parse(String... args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException(
                        "unexpected argument '" + arg + "' (options start with --)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (FLAGS.contains(name) && value == null) {
                value = "true";
            } else if (!VALUED.contains(name)) {
                throw new IllegalArgumentException(
                        "unknown option --" + name + "; known: " + known());
            } else if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (values.put(name, value) != null) {
                throw new IllegalArgumentException("option --" + name + " given twice");
            }
        }
        if (!values.containsKey("samples")) {
            throw new IllegalArgumentException("--samples is required");
        }
        return new GenerateOptions(
                values.get("bundle"),
                values.get("out"),
                number(values, "samples", 0),
                integer(values, "shard-size", 10_000),
                number(values, "seed", 0),
                integer(values, "stats-samples", DatasetSpec.REFERENCE_STATS_SAMPLES),
                integer(values, "pre-resize", 0),
                integer(values, "batch", 64),
                integer(values, "threads", 0),
                Boolean.parseBoolean(values.getOrDefault("shared-bundle", "false")));
    }

    private static long number(Map<String, String> values, String name, long fallback) {
        String text = values.get(name);
        if (text == null) {
            return fallback;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "option --" + name + " needs an integer, got '" + text + "'", e);
        }
    }

    private static int integer(Map<String, String> values, String name, int fallback) {
        long value = number(values, name, fallback);
        if (value != (int) value) {
            throw new IllegalArgumentException(
                    "option --" + name + " is out of range, got " + value);
        }
        return (int) value;
    }

    private static String known() {
        String[] names = new String[VALUED.size() + FLAGS.size()];
        int i = 0;
        for (String n : VALUED) {
            names[i++] = "--" + n;
        }
        for (String n : FLAGS) {
            names[i++] = "--" + n;
        }
        Arrays.sort(names);
        return String.join(", ", names);
    }
}
