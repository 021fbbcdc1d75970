package io.github.clip2latent.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip2latent.image.Images;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.train.dataset.DatasetGenerator;
import io.github.clip2latent.train.dataset.DatasetSpec;
import io.github.clip2latent.train.dataset.ShardSelection;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Pairs per second of Spark {@code local[2]} against the single-process {@code train generate} on
 * the embedded shapes-world bundle (real trained networks: 64 px generator, 32 px CLIP), in
 * interleaved rounds, each run checked byte for byte against the first. Also the per-image cost
 * of the reference's 1024 to 256 px pre-resize, a per-pair cost at the paper's size.
 *
 * <pre>
 * mvn -B -ntp -Pslow -pl clip2latent-spark -am test -Dtest=SparkThroughputTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false [-Dclip2latent.spark.pairs=20000]
 * </pre>
 */
@Tag("slow")
class SparkThroughputTest {

    @TempDir Path dir;

    @Test
    void localTwoAgainstOneProcess() throws IOException {
        Path bundle = Path.of("..", "examples", "bundles", "shapes-world").toAbsolutePath();
        assumeTrue(Files.isDirectory(bundle), "no shapes-world bundle at " + bundle);
        int pairs = Integer.getInteger("clip2latent.spark.pairs", 20_000);
        int rounds = Integer.getInteger("clip2latent.spark.rounds", 2);
        List<String> dataset =
                List.of(
                        "--samples", Integer.toString(pairs), "--shard-size",
                        Integer.toString(pairs / 8), "--seed", "0");
        long contextStart = System.nanoTime();
        SparkConf conf =
                new SparkConf()
                        .setMaster("local[2]")
                        .setAppName("SparkThroughputTest")
                        .set("spark.ui.enabled", "false")
                        .set("spark.driver.host", "127.0.0.1")
                        .set("spark.driver.bindAddress", "127.0.0.1");
        Path first = null;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            report("SparkContext start", (System.nanoTime() - contextStart) / 1e9, 0);
            for (int round = 0; round < rounds; round++) {
                Path single = dir.resolve("single-" + round);
                long start = System.nanoTime();
                // What 'train generate' runs: one process, ONNX Runtime's default threads.
                try (DatasetGenerator generator =
                        DatasetGenerator.open(ModelBundle.open(bundle), RuntimeOptions.cpu())) {
                    generator.generate(
                            single,
                            new DatasetSpec(pairs, pairs / 8, 0, 10_000, 0, 64),
                            ShardSelection.ALL,
                            line -> {});
                }
                report("round " + round + " train generate", seconds(start), pairs);
                first = first == null ? single : first;
                assertSameFolder(first, single);
                for (String threads : List.of("1", "0")) {
                    Path out = dir.resolve("spark-" + round + "-" + threads);
                    List<String> options = new ArrayList<>(List.of("--bundle", bundle.toString()));
                    options.addAll(List.of("--out", out.toUri().toString(), "--threads", threads));
                    options.addAll(dataset);
                    long sparkStart = System.nanoTime();
                    GenerateSummary summary =
                            SparkGenerate.run(
                                    sc, GenerateOptions.parse(options.toArray(String[]::new)),
                                    quiet());
                    report(
                            "round " + round + " spark local[2] --threads " + threads
                                    + " (job only: " + String.format(Locale.ROOT, "%.2f",
                                    summary.pairsPerSecond()) + " pairs/s)",
                            seconds(sparkStart),
                            pairs);
                    assertSameFolder(first, out);
                }
            }
        }
        preResizeCost();
    }

    /** The reference's 1024 to 256 px area resize before CLIP (--pre-resize 256), per image. */
    private static void preResizeCost() {
        int rows = 4;
        float[] images = new float[rows * 3 * 1024 * 1024];
        SplittableRandom random = new SplittableRandom(0);
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) random.nextDouble(-1, 1);
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            float[] out = Images.areaResize(images, rows, 3, 1024, 1024, 256);
            best = Math.min(best, seconds(start) / rows);
            assertEquals(rows * 3 * 256 * 256, out.length);
        }
        System.out.printf(Locale.ROOT, "pre-resize 1024 -> 256: %.1f ms per image (best of 5)%n",
                best * 1e3);
    }

    private static void report(String what, double seconds, int pairs) {
        System.out.printf(
                Locale.ROOT,
                "%s: %.2f s%s%n",
                what,
                seconds,
                pairs == 0 ? "" : String.format(Locale.ROOT, ", %.1f pairs/s", pairs / seconds));
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    private static void assertSameFolder(Path expected, Path actual) throws IOException {
        List<String> names = names(expected);
        assertEquals(names, names(actual));
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
}
