package io.github.clip2latent.train.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.train.checkpoint.CheckpointFiles;
import io.github.clip2latent.train.checkpoint.Checkpointer;
import io.github.clip2latent.train.optim.AdamWConfig;
import io.github.clip2latent.train.optim.EmaConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

class TrainerTest {

    static final PriorConfig SMALL = new PriorConfig(16, 2, 2, 8, 1000);

    /** A learnable toy task: w is a fixed linear function of e plus an offset. */
    static InMemorySamples linearData(int rows, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[dim * dim];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextGaussian() / Math.sqrt(dim));
        }
        float[] e = new float[rows * dim];
        float[] w = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < dim; k++) {
                e[r * dim + k] = (float) random.nextGaussian();
            }
            for (int o = 0; o < dim; o++) {
                double s = 0.3 * o;
                for (int k = 0; k < dim; k++) {
                    s += a[o * dim + k] * e[r * dim + k];
                }
                w[r * dim + o] = (float) s;
            }
        }
        return new InMemorySamples(w, e, dim, dim);
    }

    static TrainerConfig smallConfig(double lr, double alpha, long seed) {
        // EMA starts averaging after step 5 so the resume test covers both EMA regimes.
        return new TrainerConfig(
                SMALL,
                new AdamWConfig(lr, 0.9, 0.999, 1e-6, 0.01),
                new EmaConfig(0.9, 5),
                8,
                0.2,
                alpha,
                seed,
                32,
                10_000);
    }

    @Test
    void resumedRunRepeatsTheUninterruptedRun(@TempDir Path dir) throws Exception {
        InMemorySamples data = linearData(100, 16, 1);
        TrainerConfig config = smallConfig(1e-3, 1.0, 42);

        Trainer straight = Trainer.create(config, data);
        float[] straightLosses = new float[20];
        for (int i = 0; i < 20; i++) {
            straightLosses[i] = straight.step();
        }

        // The interrupted run saves every 5 steps, keeping only the newest file.
        Trainer first = Trainer.create(config, data);
        Checkpointer checkpointer = new Checkpointer(dir, 5, 1);
        float[] resumedLosses = new float[20];
        for (int i = 0; i < 10; i++) {
            resumedLosses[i] = first.step();
            checkpointer.maybeSave(first);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("step-000000000010.ckpt")), files.toList());
        }
        Path file = Checkpointer.latest(dir).orElseThrow();
        Trainer second = Trainer.resume(CheckpointFiles.read(file), data);
        assertEquals(10, second.stepCount());
        for (int i = 10; i < 20; i++) {
            resumedLosses[i] = second.step();
        }

        assertArrayEquals(straightLosses, resumedLosses, 1e-6f);
        assertWeightsEqual(straight.network().weights(), second.network().weights());
        assertWeightsEqual(straight.emaWeights(), second.emaWeights());
        TrainerState a = straight.state();
        TrainerState b = second.state();
        assertWeightsEqual(a.adamFirst(), b.adamFirst());
        assertWeightsEqual(a.adamSecond(), b.adamSecond());
        assertEquals(a.shuffle().cursor(), b.shuffle().cursor());
        assertArrayEquals(a.shuffle().slots(), b.shuffle().slots());
    }

    @Test
    void lossGoesDownOnALearnableToyDataset() {
        Trainer trainer = Trainer.create(smallConfig(3e-3, 0.0, 7), linearData(256, 16, 2));
        int steps = 300;
        int window = 30;
        double early = 0;
        double late = 0;
        for (int i = 0; i < steps; i++) {
            float loss = trainer.step();
            assertTrue(Float.isFinite(loss), "loss at step " + i + " is " + loss);
            if (i < window) {
                early += loss / window;
            } else if (i >= steps - window) {
                late += loss / window;
            }
        }
        double ratio = late / early;
        System.out.printf(
                "toy loss: first %d steps %.4f, last %d steps %.4f, ratio %.3f%n",
                window, early, window, late, ratio);
        assertTrue(ratio < 0.5, "loss ratio late/early = " + ratio);
    }

    @Test
    void emaStartsFromTheOnlineWeights() {
        Trainer trainer = Trainer.create(smallConfig(1e-3, 1.0, 3), linearData(40, 16, 3));
        assertWeightsEqual(trainer.network().weights(), trainer.emaWeights());
    }

    @Test
    void stepRandomStreamsDependOnlyOnSeedAndStep() {
        assertEquals(
                Trainer.randomForStep(5, 9).nextLong(), Trainer.randomForStep(5, 9).nextLong());
        assertTrue(
                Trainer.randomForStep(5, 9).nextLong() != Trainer.randomForStep(5, 10).nextLong());
        assertTrue(
                Trainer.randomForStep(5, 9).nextLong() != Trainer.randomForStep(6, 9).nextLong());
    }

    static void assertWeightsEqual(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), actual.get(name), 1e-6f, name);
        }
    }
}
