package io.github.clip2latent.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.clip2latent.schedule.NoiseSchedule;
import io.github.clip2latent.schedule.SamplingPlan;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

class NoiseSourceTest {

    private static final int ROWS = 3;
    private static final int DIM = 5;
    private static final X0Predictor HALF =
            (x, t, x0) -> {
                for (int i = 0; i < ROWS * DIM; i++) {
                    x0[i] = 0.5f * x[i] + t * 1e-4f;
                }
            };

    @Test
    void gaussianSourceGivesTheBitsOfTheSeededPath() {
        SamplingPlan plan = SamplingPlan.referenceSkip(NoiseSchedule.cosine(1000), 100);
        for (Sampler sampler : List.of(DdpmSampler.INSTANCE, new DdimSampler(0.7))) {
            SplittableRandom a = new SplittableRandom(42);
            float[] expected = StandardNormal.sample(a, ROWS * DIM);
            sampler.sample(plan, HALF, expected, ROWS, DIM, a);

            float[] got = new float[ROWS * DIM];
            sampler.sample(
                    plan,
                    HALF,
                    got,
                    ROWS,
                    DIM,
                    NoiseSource.gaussian(new SplittableRandom(42)),
                    null);
            assertArrayEquals(expected, got, sampler.toString());
        }
    }

    @Test
    void recordedNoiseReplaysARunAndItsSteps() {
        SamplingPlan plan = SamplingPlan.referenceSkip(NoiseSchedule.cosine(1000), 250);
        int n = ROWS * DIM;
        // Record a seeded run's draws: x_T, then each step's n draws (the last step draws none).
        SplittableRandom r = new SplittableRandom(7);
        float[] init = StandardNormal.sample(r, n);
        float[] draws = new float[plan.steps() * n];
        StandardNormal.fill(r, draws, 0, (plan.steps() - 1) * n);
        List<float[]> seen = new ArrayList<>();
        float[] x = new float[n];
        DdpmSampler.INSTANCE.sample(
                plan,
                HALF,
                x,
                ROWS,
                DIM,
                new RecordedNoise(init, draws, n),
                (k, j, x0, xs) -> seen.add(xs.clone()));
        assertEquals(plan.steps(), seen.size());

        // The same seed through the generator path draws the same values in the same order.
        SplittableRandom again = new SplittableRandom(7);
        float[] expected = StandardNormal.sample(again, n);
        DdpmSampler.INSTANCE.sample(plan, HALF, expected, ROWS, DIM, again);
        assertArrayEquals(expected, x);
        assertArrayEquals(expected, seen.get(seen.size() - 1));
    }

    @Test
    void recordingMustCoverTheRun() {
        SamplingPlan plan = SamplingPlan.referenceSkip(NoiseSchedule.cosine(1000), 250);
        int n = ROWS * DIM;
        RecordedNoise tooShort = new RecordedNoise(new float[n], new float[2 * n], n);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                DdpmSampler.INSTANCE.sample(
                                        plan, HALF, new float[n], ROWS, DIM, tooShort, null));
        assertEquals("step 2 was not recorded (the recording has 2 steps)", e.getMessage());
    }
}
