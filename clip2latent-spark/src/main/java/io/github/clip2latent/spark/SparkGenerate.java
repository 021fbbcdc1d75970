package io.github.clip2latent.spark;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.train.dataset.DatasetGenerator;
import io.github.clip2latent.train.dataset.DatasetManifest;
import io.github.clip2latent.train.dataset.DatasetSpec;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * {@code train generate} on Apache Spark. The driver writes (or checks) {@code dataset.json},
 * ships the bundle, runs one task per shard ({@link ShardTask}; Spark retries failed tasks, and
 * tasks skip shards already complete), then computes the latent stats from the leading rows with
 * the same code as the single-machine command and removes temporary files of dead attempts. The
 * folder it leaves holds the same bytes as {@code train generate} with the same options.
 *
 * <pre>
 * spark-submit --class io.github.clip2latent.spark.SparkGenerate clip2latent-spark-job.jar \
 *     --bundle bundles/ffhq --out hdfs:///datasets/ffhq-1m --samples 1000000
 * </pre>
 *
 * See docs/spark.md.
 */
public final class SparkGenerate {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private SparkGenerate() {}

    /**
     * Runs the job with the master and settings spark-submit passes ({@code local[*]} when started
     * without one) and exits: 0 success, 1 failure, 2 bad command line.
     *
     * @param args the options, see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            GenerateCommandLine.parser().usage(out);
            return OK;
        }
        GenerateOptions options;
        try {
            options = GenerateOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            GenerateCommandLine.parser().usage(err);
            return USAGE;
        }
        SparkConf conf =
                new SparkConf()
                        .setAppName("clip2latent generate")
                        .setIfMissing("spark.master", "local[*]");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            run(sc, options, out);
            return OK;
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            err.println("error: generate: " + e.getMessage());
            return FAILED;
        }
    }

    /**
     * Generates the dataset described by {@code options} on {@code sc}.
     *
     * @param out receives progress and summary lines
     * @throws IOException if the folder holds a dataset made differently, the bundle cannot be
     *     read, or a task failed more often than {@code spark.task.maxFailures} allows
     */
    public static GenerateSummary run(JavaSparkContext sc, GenerateOptions options, PrintStream out)
            throws IOException {
        return run(sc, options, out, StreamWrapper.NONE);
    }

    static GenerateSummary run(
            JavaSparkContext sc, GenerateOptions options, PrintStream out, StreamWrapper wrapper)
            throws IOException {
        DatasetSpec spec = options.spec();
        Path bundleDir = Path.of(options.bundle()).toAbsolutePath();
        ModelBundle bundle = ModelBundle.open(bundleDir);
        DatasetManifest manifest =
                new DatasetManifest(
                        bundle.manifest().id(),
                        bundle.manifest().latentDim(),
                        bundle.manifest().embeddingDim(),
                        spec);
        HadoopConf conf = new HadoopConf(sc.hadoopConfiguration());
        Path local = Files.createTempDirectory("clip2latent-spark");
        try (HadoopDatasetFolder folder =
                HadoopDatasetFolder.open(options.out(), conf.get(), StreamWrapper.NONE)) {
            writeOrCheckManifest(folder, manifest, local);
            String archive = null;
            if (!options.sharedBundle()) {
                archive = "bundle-" + UUID.randomUUID() + ".zip";
                Path zip = local.resolve(archive);
                BundleArchive.pack(bundleDir, zip);
                sc.sc().addArchive(zip.toUri().toString());
            }
            List<Integer> shards = IntStream.range(0, spec.shardCount()).boxed().toList();
            out.printf(
                    Locale.ROOT,
                    "generate: %d pairs in %d shard(s) of %d, one Spark task each, to %s%n",
                    spec.samples(),
                    shards.size(),
                    spec.shardSize(),
                    folder.uri());
            long start = System.nanoTime();
            List<ShardReport> reports;
            try {
                // One partition, hence one task, per shard.
                reports =
                        sc.parallelize(shards, shards.size())
                                .map(new ShardTask(options, conf, archive, wrapper))
                                .collect();
            } catch (RuntimeException e) {
                throw new IOException(
                        "Spark job failed (finished shards are kept; re-run to continue): "
                                + e.getMessage(),
                        e);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            LatentStats stats = writeStats(folder, spec, local);
            folder.removeTemporaries();
            GenerateSummary summary = new GenerateSummary(folder.uri(), reports, stats, seconds);
            out.printf(
                    Locale.ROOT,
                    "generate: %d shard(s) generated, %d already complete, %d pairs in %.1f s"
                            + " (%.2f pairs/s); latent stats from the first %d rows%n",
                    summary.generatedShards(),
                    reports.size() - summary.generatedShards(),
                    summary.generatedPairs(),
                    seconds,
                    summary.pairsPerSecond(),
                    spec.statsRows());
            return summary;
        } finally {
            deleteRecursively(local);
        }
    }

    /** As {@code DatasetGenerator.generate}: write the manifest, or refuse a different dataset. */
    private static void writeOrCheckManifest(
            HadoopDatasetFolder folder, DatasetManifest manifest, Path local) throws IOException {
        Path dir = Files.createDirectories(local.resolve("manifest"));
        if (folder.exists(DatasetManifest.FILE_NAME)) {
            folder.download(DatasetManifest.FILE_NAME, dir.resolve(DatasetManifest.FILE_NAME));
            String why = DatasetManifest.read(dir).incompatibility(manifest);
            if (why != null) {
                throw new IOException(
                        "dataset at "
                                + folder.uri()
                                + " was made differently, refusing to mix shards: "
                                + why);
            }
        } else {
            manifest.write(dir);
            folder.upload(dir.resolve(DatasetManifest.FILE_NAME), DatasetManifest.FILE_NAME);
        }
    }

    /**
     * Computes the stats with {@link DatasetGenerator#writeStats} itself, on a local copy of the
     * manifest and the shards holding the leading rows, and uploads the two files it writes.
     */
    private static LatentStats writeStats(HadoopDatasetFolder folder, DatasetSpec spec, Path local)
            throws IOException {
        Path dir = Files.createDirectories(local.resolve("stats"));
        folder.download(DatasetManifest.FILE_NAME, dir.resolve(DatasetManifest.FILE_NAME));
        int needed = (spec.statsRows() + spec.shardSize() - 1) / spec.shardSize();
        for (int k = 0; k < needed; k++) {
            for (String name :
                    List.of(DatasetManifest.latentFile(k), DatasetManifest.embeddingFile(k))) {
                folder.download(name, dir.resolve(name));
            }
        }
        LatentStats stats = DatasetGenerator.writeStats(dir, spec);
        folder.upload(dir.resolve(DatasetGenerator.LATENT_MEAN), DatasetGenerator.LATENT_MEAN);
        folder.upload(dir.resolve(DatasetGenerator.LATENT_STD), DatasetGenerator.LATENT_STD);
        return stats;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
