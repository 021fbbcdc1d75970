package io.github.clip2latent.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.clip2latent.schedule.NoiseMode;
import io.github.clip2latent.schedule.NoiseSchedule;
import io.github.clip2latent.schedule.SamplingPlan;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Samplers with analytic denoisers: exactness, determinism and seed dependence. */
class SamplerProperties {

    private static final NoiseSchedule COSINE = NoiseSchedule.cosine(1000);
    private static final int DIM = 16;

    @Property(tries = 80)
    void ddimWithAnOracleReturnsTheTrueX0(
            @ForAll @IntRange(min = 1, max = 1000) int steps,
            @ForAll @IntRange(min = 1, max = 4) int rows,
            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] truth = StandardNormal.sample(random, rows * DIM);
        float[] x = StandardNormal.sample(random, rows * DIM);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 1 + 10 * random.nextDouble(); // any start, not only unit scale
        }
        X0Predictor oracle = (xt, t, x0) -> System.arraycopy(truth, 0, x0, 0, truth.length);
        DdimSampler.deterministic()
                .sample(
                        SamplingPlan.consistent(COSINE, steps),
                        oracle,
                        x,
                        rows,
                        DIM,
                        new SplittableRandom(0));
        for (int i = 0; i < truth.length; i++) {
            assertEquals(truth[i], x[i], 1e-5);
        }
    }

    @Property(tries = 20)
    void sameSeedSameBitsDifferentSeedDifferentSamples(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 60) int steps,
            @ForAll boolean ddim) {
        float[] first = sample(seed, steps, ddim);
        float[] again = sample(seed, steps, ddim);
        float[] other = sample(seed + 1, steps, ddim);
        assertArrayEquals(first, again);
        assertFalse(Arrays.equals(first, other));
    }

    private static float[] sample(long seed, int steps, boolean ddim) {
        int rows = 3;
        RecordingDenoiser denoiser = new RecordingDenoiser(DIM, 4, 0.3f, 1f);
        SplittableRandom random = new SplittableRandom(seed);
        float[] condition = StandardNormal.sample(random, rows * 4);
        float[] x = StandardNormal.sample(random, rows * DIM);
        Sampler sampler = ddim ? new DdimSampler(1.0) : DdpmSampler.INSTANCE;
        sampler.sample(
                SamplingPlan.evenlySpaced(COSINE, steps, NoiseMode.CONSISTENT),
                ClassifierFreeGuidance.of(denoiser, 2f, condition, rows),
                x,
                rows,
                DIM,
                random);
        return x;
    }

    @Test
    void concurrentSamplingGivesTheSameBitsAsSequential() throws Exception {
        float[] sequential = sample(42, 25, false);
        java.util.concurrent.ExecutorService pool =
                java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<float[]>> futures =
                    new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> sample(42, 25, false)));
            }
            for (java.util.concurrent.Future<float[]> future : futures) {
                assertArrayEquals(sequential, future.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ddpmFollowsThePosteriorMeanStepByStep() {
        // One explicit step of reference section 4 against the sampler, with the quirk noise.
        SamplingPlan plan = SamplingPlan.referenceSkip(COSINE, 500); // steps 0, 500
        float[] x = {0.5f, -1f};
        float[] x0 = {0.25f, 0.75f};
        X0Predictor fixed = (xt, t, out) -> System.arraycopy(x0, 0, out, 0, 2);
        SplittableRandom noise = new SplittableRandom(9);
        float z0 = (float) new SplittableRandom(9).nextGaussian();
        float[] expected = new float[2];
        expected[0] =
                (float) plan.posteriorMeanCoef1(1) * x0[0]
                        + (float) plan.posteriorMeanCoef2(1) * x[0]
                        + (float) plan.noiseStd(1) * z0;
        expected[0] =
                (float) plan.posteriorMeanCoef1(0) * x0[0]
                        + (float) plan.posteriorMeanCoef2(0) * expected[0];
        DdpmSampler.INSTANCE.sample(plan, fixed, x, 1, 2, noise);
        assertEquals(expected[0], x[0], 1e-6);
        assertEquals(x0[1], x[1], 1e-6, "the last step (C1 = 1, C2 = 0) returns x0");
    }

    @Test
    void ddimRejectsEtaOutsideZeroOne() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new DdimSampler(1.5));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("1.5"));
    }
}
