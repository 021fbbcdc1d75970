package io.github.clip2latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.runtime.RuntimeOptions;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 14 item 3: 1,000,000 samples grew to 24 GB with {@code -Xmx4g} and the kernel killed the
 * JVM. In a child JVM with {@code -Xmx1g}: {@code sample()} refuses the 10^6-image request up front
 * with a message (its results alone need 3.4 GB), and {@code sampleEach} streams images in bounded
 * memory: 20,000 in the default build, all 10^6 in the slow one ({@code -Pslow}; about 20 minutes
 * on 2 busy cores).
 */
class MillionRowRequestTest {

    static final int ROWS = 1_000_000;

    /**
     * Child process. Arguments: bundle, chunk rows, images to stream. Prints "refused: ...", then
     * "streamed N images, peak heap M MB".
     */
    public static void main(String[] args) throws Exception {
        int chunkRows = Integer.parseInt(args[1]);
        int stream = Integer.parseInt(args[2]);
        try (Clip2Latent model = Clip2Latent.load(Path.of(args[0]), RuntimeOptions.cpu())) {
            try {
                model.prompt("a red circle").samples(ROWS).seed(1).sample();
                System.out.println("not refused");
            } catch (IllegalArgumentException e) {
                System.out.println("refused: " + e.getMessage());
            }
            AtomicLong next = new AtomicLong();
            long t0 = System.nanoTime();
            model.prompt("a red circle")
                    .samples(stream)
                    .chunkRows(chunkRows)
                    .seed(1)
                    .sampleEach(
                            (first, chunk) -> {
                                if (first != next.get()) {
                                    throw new IllegalStateException(
                                            "chunk at " + first + ", expected " + next.get());
                                }
                                long done = next.addAndGet(chunk.count());
                                if (done / 100_000 != first / 100_000) {
                                    System.out.printf(
                                            "%d images, %.0f s%n",
                                            done, (System.nanoTime() - t0) / 1e9);
                                }
                            });
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf(
                    "streamed %d images in %.1f s, peak heap %d MB%n",
                    next.get(), (System.nanoTime() - t0) / 1e9, peak >> 20);
        }
    }

    @Test
    void aMillionImageRequestIsRefusedUpFrontAndStreamingStaysUnderOneGigabyte(@TempDir Path dir)
            throws Exception {
        String output = runChild(dir, 20_000, 300);
        assertTrue(output.contains("refused: the request's 1,000,000 images"), output);
        assertTrue(output.contains("results alone"), output);
        assertTrue(output.contains("streamed 20000 images"), output);
    }

    @Test
    @Tag("slow")
    void aMillionImagesStreamUnderOneGigabyteOfHeap(@TempDir Path dir) throws Exception {
        String output = runChild(dir, ROWS, 3600);
        assertTrue(output.contains("streamed 1000000 images"), output);
    }

    private static String runChild(Path dir, int stream, int timeoutSeconds) throws Exception {
        Path bundle =
                RandomBundles.write(dir.resolve("b"), RandomBundles.Spec.tiny(), 1).directory();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("child.log");
        Process child =
                new ProcessBuilder(
                                List.of(
                                        java,
                                        "-Xmx1g",
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        MillionRowRequestTest.class.getName(),
                                        bundle.toString(),
                                        "4096",
                                        Integer.toString(stream)))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        boolean finished = child.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            child.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println("MillionRowRequestTest child:\n" + output);
        assertTrue(finished, "child did not finish in " + timeoutSeconds + " s:\n" + output);
        assertEquals(0, child.exitValue(), "child JVM failed:\n" + output);
        return output;
    }
}
