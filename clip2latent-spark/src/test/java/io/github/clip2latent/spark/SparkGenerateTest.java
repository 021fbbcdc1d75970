package io.github.clip2latent.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.train.dataset.DatasetGenerator;
import io.github.clip2latent.train.dataset.DatasetManifest;
import io.github.clip2latent.train.dataset.DatasetSpec;
import io.github.clip2latent.train.dataset.ShardSelection;
import io.github.clip2latent.train.dataset.ShardedDataset;

import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Spark {@code local[2]} runs against the single-machine {@code train generate}, on a random
 * bundle of real ONNX graphs: the folders must be equal file by file and byte by byte.
 */
class SparkGenerateTest {

    /** 100 pairs in shards of 30 (the last has 10), stats over 70 rows spanning three shards. */
    private static final List<String> DATASET =
            List.of(
                    "--samples", "100", "--shard-size", "30", "--seed", "5", "--stats-samples",
                    "70", "--batch", "16");

    @TempDir static Path dir;
    static Path bundleDir;
    static Path reference;
    static JavaSparkContext sc;

    @BeforeAll
    static void setUp() throws IOException {
        bundleDir = dir.resolve("bundle");
        ModelBundle bundle = RandomBundles.write(bundleDir, RandomBundles.Spec.tiny(), 2);
        // What 'train generate' runs for the options in DATASET (its defaults: batch 64, no
        // pre-resize), on the library's local files.
        reference = dir.resolve("reference");
        try (DatasetGenerator generator = DatasetGenerator.open(bundle, RuntimeOptions.cpu())) {
            assertEquals(
                    4,
                    generator.generate(
                            reference,
                            new DatasetSpec(100, 30, 5, 70, 0, 16),
                            ShardSelection.ALL,
                            line -> {}));
        }
        // Two task threads; a task may fail 4 times before the job does (spark.task.maxFailures).
        SparkConf conf =
                new SparkConf()
                        .setMaster("local[2,4]")
                        .setAppName("SparkGenerateTest")
                        .set("spark.ui.enabled", "false")
                        .set("spark.driver.host", "127.0.0.1")
                        .set("spark.driver.bindAddress", "127.0.0.1")
                        .set("spark.local.dir", dir.resolve("spark-local").toString());
        sc = new JavaSparkContext(conf);
    }

    @AfterAll
    static void tearDown() {
        if (sc != null) {
            sc.close();
        }
    }

    private static GenerateOptions options(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("--bundle", bundleDir.toString()));
        args.addAll(List.of("--out", out.toUri().toString()));
        args.addAll(DATASET);
        args.addAll(List.of(extra));
        return GenerateOptions.parse(args.toArray(String[]::new));
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    /** The same file names, and every file the same bytes. */
    private static void assertSameFolder(Path expected, Path actual) throws IOException {
        List<String> names = names(expected);
        assertEquals(names, names(actual), "file names in " + actual);
        assertTrue(names.contains(DatasetManifest.FILE_NAME), names.toString());
        assertTrue(names.contains(DatasetGenerator.LATENT_MEAN), names.toString());
        assertTrue(names.contains(DatasetManifest.latentFile(3)), names.toString());
        for (String name : names) {
            assertArrayEquals(
                    Files.readAllBytes(expected.resolve(name)),
                    Files.readAllBytes(actual.resolve(name)),
                    name);
        }
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSparkRunWritesTheBytesOfTrainGenerateAndARerunSkipsFinishedShards() throws IOException {
        Path out = dir.resolve("spark");
        GenerateSummary first = SparkGenerate.run(sc, options(out), quiet());
        assertEquals(4, first.generatedShards());
        assertEquals(100, first.generatedPairs());
        assertEquals(List.of(0, 1, 2, 3), first.reports().stream().map(ShardReport::shard).toList());
        assertSameFolder(reference, out);
        assertEquals(DatasetGenerator.readStats(reference), first.stats());
        assertEquals(100, ShardedDataset.open(out).size(), "the trainer opens it");

        byte[] shard2 = Files.readAllBytes(out.resolve(DatasetManifest.latentFile(2)));
        Files.delete(out.resolve(DatasetManifest.latentFile(2))); // as if killed between renames
        GenerateSummary second = SparkGenerate.run(sc, options(out), quiet());
        assertEquals(1, second.generatedShards(), "only the incomplete shard is made again");
        assertTrue(second.reports().get(2).generated());
        assertArrayEquals(shard2, Files.readAllBytes(out.resolve(DatasetManifest.latentFile(2))));
        assertSameFolder(reference, out);
    }

    @Test
    void aTaskKilledMidShardIsRetriedBySparkAndGivesTheSameBytes() throws IOException {
        Path out = dir.resolve("killed");
        Files.createDirectories(out);
        // What an executor killed during a write leaves behind: removed by the next run.
        Files.writeString(
                out.resolve(
                        "." + DatasetManifest.latentFile(0)
                                + ".0f8fad5b-d9cb-469f-a165-70867728950e.tmp"),
                "partial");
        Path marker = dir.resolve("failed-attempt");
        // The bundle path is readable by the in-process executor: the shared-bundle mode.
        GenerateSummary summary =
                SparkGenerate.run(
                        sc,
                        options(out, "--shared-bundle"),
                        quiet(),
                        new FailFirstAttempt(DatasetManifest.latentFile(1), 200, marker.toString()));
        assertTrue(Files.exists(marker), "the first attempt of shard 1 failed mid-file");
        ShardReport shard1 = summary.reports().get(1);
        assertEquals(1, shard1.attempt(), "Spark retried shard 1: " + shard1);
        assertTrue(shard1.generated());
        assertEquals(0, summary.reports().get(0).attempt());
        assertEquals(4, summary.generatedShards());
        assertSameFolder(reference, out);
    }

    @Test
    void aFolderMadeWithAnotherSeedIsRefusedBeforeAnyTaskRuns() throws IOException {
        Path out = dir.resolve("other-seed");
        List<String> args = new ArrayList<>(List.of("--bundle", bundleDir.toString()));
        args.addAll(List.of("--out", out.toUri().toString(), "--samples", "100"));
        args.addAll(List.of("--shard-size", "30", "--seed", "6", "--stats-samples", "70"));
        Files.createDirectories(out);
        Files.copy(
                reference.resolve(DatasetManifest.FILE_NAME),
                out.resolve(DatasetManifest.FILE_NAME));
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                SparkGenerate.run(
                                        sc,
                                        GenerateOptions.parse(args.toArray(String[]::new)),
                                        quiet()));
        assertTrue(
                e.getMessage().contains("seed 5") && e.getMessage().contains("seed 6"),
                e.getMessage());
        assertFalse(Files.exists(out.resolve(DatasetManifest.embeddingFile(0))));
    }

    /**
     * Makes attempt 0 of the task writing {@code file} throw after {@code bytes} bytes, leaving a
     * partial temporary file, as a killed executor would; later attempts write through.
     */
    private record FailFirstAttempt(String file, int bytes, String marker)
            implements StreamWrapper {

        @Override
        public OutputStream wrap(String name, OutputStream out) {
            TaskContext task = TaskContext.get();
            if (!name.equals(file) || task == null || task.attemptNumber() > 0) {
                return out;
            }
            return new FilterOutputStream(out) {
                private int written;

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    int n = Math.min(len, bytes - written);
                    out.write(b, off, n);
                    written += n;
                    if (written >= bytes) {
                        out.flush();
                        Files.writeString(Path.of(marker), "attempt 0 failed after " + written);
                        throw new IOException("injected failure after " + written + " bytes");
                    }
                }
            };
        }
    }
}
