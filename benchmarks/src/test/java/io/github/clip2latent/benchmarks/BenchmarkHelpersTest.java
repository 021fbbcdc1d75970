package io.github.clip2latent.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.diffusion.ClassifierFreeGuidance;
import io.github.clip2latent.runtime.RuntimeOptions;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A quick smoke test of the benchmark helpers on the tiny bundle (the suite itself is run by JMH).
 */
class BenchmarkHelpersTest {

    @TempDir Path dir;

    private String previous;

    @BeforeEach
    void pointDataAtTempDir() {
        previous = System.getProperty(BenchmarkData.DIR_PROPERTY);
        System.setProperty(BenchmarkData.DIR_PROPERTY, dir.toString());
    }

    @AfterEach
    void restore() {
        if (previous == null) {
            System.clearProperty(BenchmarkData.DIR_PROPERTY);
        } else {
            System.setProperty(BenchmarkData.DIR_PROPERTY, previous);
        }
    }

    @Test
    void tinyBundleIsWrittenOnceAndSampledWithBothBatchings() throws Exception {
        Path bundle = BenchmarkData.tinyBundle();
        assertTrue(Files.isRegularFile(bundle.resolve("clip2latent.json")));
        long written = Files.getLastModifiedTime(bundle.resolve("clip2latent.json")).toMillis();
        assertEquals(bundle, BenchmarkData.tinyBundle());
        assertEquals(
                written,
                Files.getLastModifiedTime(bundle.resolve("clip2latent.json")).toMillis(),
                "the cached bundle must be reused, not written again");

        try (PriorSampling prior =
                PriorSampling.open(bundle, RuntimeOptions.cpu(), 3, BenchmarkData.SEED)) {
            TimedDenoiser[] timed = new TimedDenoiser[1];
            float[] batched =
                    prior.sample(
                            prior.plan(4),
                            ClassifierFreeGuidance.Batching.BATCHED,
                            r -> timed[0] = new TimedDenoiser(r));
            assertEquals(
                    4, timed[0].calls(), "one network call per step when the passes are batched");
            assertTrue(timed[0].nanos() > 0);
            float[] sequential =
                    prior.sample(
                            prior.plan(4),
                            ClassifierFreeGuidance.Batching.SEQUENTIAL,
                            r -> timed[0] = new TimedDenoiser(r));
            assertEquals(8, timed[0].calls(), "two network calls per step one after the other");
            assertEquals(3 * prior.dim(), batched.length);
            for (int i = 0; i < batched.length; i++) {
                // Same seed, same maths: only the batching differs, so the results agree closely.
                assertEquals(batched[i], sequential[i], 1e-4f);
            }
        }
    }

    @Test
    void residentMemoryIsReadFromProc() throws Exception {
        if (Files.isReadable(Path.of("/proc/self/status"))) {
            assertTrue(LeakCheck.residentBytes() > 1 << 20);
        }
    }
}
