package io.github.clip2latent.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The published numbers of reference-implementation.md sections 1 and 4, checked exactly. */
class ReferenceGoldenNumbersTest {

    private final NoiseSchedule cosine = NoiseSchedule.cosine(1000);

    @Test
    void cosineScheduleMatchesTheReferenceValues() {
        // Reference section 1: beta_0 = 4.13e-5, abar_0 = 0.99996, abar_999 = 2.4e-9 (rounded
        // there).
        assertEquals(4.13e-5, cosine.beta(0), 5e-8);
        assertEquals(0.99996, cosine.alphaBar(0), 5e-6);
        assertEquals(2.4e-9, cosine.alphaBar(999), 5e-11);
        assertEquals(1.0f, cosine.alphaBarPrev(0));
        assertEquals(cosine.alphaBar(0), cosine.alphaBarPrev(1));
        assertEquals(0.999f, cosine.beta(999), 1e-6, "the last beta is clipped at 0.999");
    }

    @Test
    void referenceSkip250VisitsTheFourPublishedSteps() {
        SamplingPlan plan = SamplingPlan.referenceSkip(cosine, 250);
        assertEquals(4, plan.steps());
        assertArrayEquals(new int[] {0, 250, 500, 750}, plan.timesteps());
        assertEquals(NoiseMode.REFERENCE_QUIRK, plan.noiseMode());
    }

    @Test
    void referenceSkip250CoefficientsMatchTheReference() {
        SamplingPlan plan = SamplingPlan.referenceSkip(cosine, 250);
        // Reference section 4, in sampling order t = 750, 500, 250, 0.
        double[] c1 = {0.5807, 0.7573, 0.99975, 1};
        double[] c2 = {0.3196, 0.2316, 0.000247, 0};
        double[] noise = {0.0870, 0.0561, 0.0363, 0};
        for (int k = 0; k < 4; k++) {
            int j = 3 - k;
            assertEquals(c1[k], plan.posteriorMeanCoef1(j), 1e-4, "C1 at t=" + plan.timestep(j));
            assertEquals(c2[k], plan.posteriorMeanCoef2(j), 1e-4, "C2 at t=" + plan.timestep(j));
            assertEquals(noise[k], plan.noiseStd(j), 1e-4, "noise std at t=" + plan.timestep(j));
        }
    }

    @Test
    void consistentRespacingRecomputesTheNoise() {
        SamplingPlan plan = SamplingPlan.consistent(cosine, 4);
        assertArrayEquals(new int[] {0, 250, 500, 750}, plan.timesteps());
        // Reference section 4: a consistent respacing would use 0.648, 0.356 at t = 750, 500.
        assertEquals(0.648, plan.noiseStd(3), 1e-3);
        assertEquals(0.356, plan.noiseStd(2), 1e-3);
        assertEquals(
                SamplingPlan.referenceSkip(cosine, 250).posteriorMeanCoef1(3),
                plan.posteriorMeanCoef1(3));
    }

    @Test
    void skipOneIsTheFullScheduleWithTheOriginalCoefficients() {
        SamplingPlan full = SamplingPlan.referenceSkip(cosine, 1);
        assertEquals(1000, full.steps());
        for (int t = 1; t < 1000; t += 37) {
            assertEquals(cosine.posteriorMeanCoef1(t), full.posteriorMeanCoef1(t), 1e-6);
            assertEquals(cosine.posteriorMeanCoef2(t), full.posteriorMeanCoef2(t), 1e-6);
            assertEquals(
                    Math.exp(0.5 * cosine.posteriorLogVarianceClipped(t)), full.noiseStd(t), 1e-6);
        }
    }

    @Test
    void invalidRespacingsAreRejectedWithTheValue() {
        IllegalArgumentException notDivisor =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SamplingPlan.referenceSkip(cosine, 300));
        assertTrue(notDivisor.getMessage().contains("300"), notDivisor.getMessage());
        IllegalArgumentException tooMany =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SamplingPlan.consistent(cosine, 1001));
        assertTrue(tooMany.getMessage().contains("1001"), tooMany.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> SamplingPlan.of(cosine, new int[] {5, 5}, NoiseMode.CONSISTENT));
    }

    @Test
    void linearScheduleFollowsDalle2() {
        NoiseSchedule linear = NoiseSchedule.linear(1000);
        assertEquals(1e-4, linear.beta(0), 1e-9);
        assertEquals(0.02, linear.beta(999), 1e-8);
        assertEquals(BetaSchedule.LINEAR, BetaSchedule.fromManifestName("linear"));
        assertThrows(
                IllegalArgumentException.class, () -> BetaSchedule.fromManifestName("sigmoid"));
    }
}
