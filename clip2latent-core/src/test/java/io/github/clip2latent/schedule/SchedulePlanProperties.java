package io.github.clip2latent.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Properties of schedules and of every respacing. */
class SchedulePlanProperties {

    private static final NoiseSchedule COSINE = NoiseSchedule.cosine(1000);

    @Property(tries = 30)
    void alphaBarIsStrictlyDecreasingInZeroOne(
            @ForAll @IntRange(min = 2, max = 4000) int timesteps, @ForAll boolean cosine) {
        NoiseSchedule schedule =
                cosine
                        ? NoiseSchedule.cosine(timesteps)
                        : NoiseSchedule.linear(Math.max(timesteps, 21));
        double previous = 1.0;
        for (int t = 0; t < schedule.timesteps(); t++) {
            double abar = schedule.alphaBarExact(t);
            assertTrue(abar > 0 && abar <= 1, "abar_" + t + " = " + abar);
            assertTrue(abar < previous, "abar not strictly decreasing at t=" + t);
            previous = abar;
        }
    }

    @Property(tries = 200)
    void everyStepCountGivesAValidPlan(
            @ForAll @IntRange(min = 1, max = 1000) int steps, @ForAll NoiseMode mode) {
        SamplingPlan plan = SamplingPlan.evenlySpaced(COSINE, steps, mode);
        assertEquals(steps, plan.steps());
        assertEquals(0, plan.timestep(0));
        assertEquals(0.0, plan.noiseStd(0));
        for (int j = 0; j < steps; j++) {
            int t = plan.timestep(j);
            assertTrue(t >= 0 && t < 1000);
            assertTrue(j == 0 || t > plan.timestep(j - 1), "steps not strictly increasing");
            double c1 = plan.posteriorMeanCoef1(j);
            double c2 = plan.posteriorMeanCoef2(j);
            assertTrue(Double.isFinite(c1) && c1 > 0, "C1 = " + c1);
            assertTrue(Double.isFinite(c2) && c2 >= 0, "C2 = " + c2);
            assertTrue(Double.isFinite(plan.noiseStd(j)) && plan.noiseStd(j) >= 0);
            assertEquals(COSINE.alphaBarExact(t), plan.alphaBar(j));
            // The posterior mean of a noiseless x_t = sqrt(abar) x0 is sqrt(abar_prev) x0:
            // C1 + C2 sqrt(abar') = sqrt(abar'_prev).
            assertEquals(
                    Math.sqrt(plan.alphaBarPrev(j)), c1 + c2 * Math.sqrt(plan.alphaBar(j)), 1e-9);
        }
    }

    @Property(tries = 50)
    void everyDivisorSkipMatchesTheEvenlySpacedPlan(
            @ForAll @IntRange(min = 1, max = 1000) int skip) {
        if (1000 % skip != 0) {
            return;
        }
        SamplingPlan reference = SamplingPlan.referenceSkip(COSINE, skip);
        SamplingPlan even =
                SamplingPlan.evenlySpaced(COSINE, 1000 / skip, NoiseMode.REFERENCE_QUIRK);
        for (int j = 0; j < reference.steps(); j++) {
            assertEquals(reference.timestep(j), even.timestep(j));
            assertEquals(reference.noiseStd(j), even.noiseStd(j));
        }
    }
}
