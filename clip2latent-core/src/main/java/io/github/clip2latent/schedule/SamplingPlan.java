package io.github.clip2latent.schedule;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;

/**
 * The steps a sampler visits and their coefficients: a {@link NoiseSchedule} respaced onto a subset
 * of its steps (reference section 4, "Timestep respacing").
 *
 * <p>Plan index {@code j} runs from 0 (the last step taken, original step {@link #timestep(int)} =
 * the smallest kept step) to {@code steps() - 1} (the first step taken). For kept steps {@code t_0
 * < t_1 < ...}: {@code abar'_j = abar[t_j]}, {@code abar'_{-1} = 1}, {@code beta'_j = 1 - abar'_j /
 * abar'_{j-1}}, and the posterior mean coefficients and variance are recomputed from {@code beta'}.
 * The network always receives the original step {@code t_j}.
 *
 * <p>Immutable and thread-safe; all coefficients are kept in float64.
 */
public final class SamplingPlan {

    private final NoiseSchedule schedule;
    private final NoiseMode noiseMode;
    private final int[] timesteps;
    private final double[] alphaBar;
    private final double[] alphaBarPrev;
    private final double[] c1;
    private final double[] c2;
    private final double[] posteriorVariance;
    private final double[] noiseStd;

    private SamplingPlan(NoiseSchedule schedule, int[] keptSteps, NoiseMode noiseMode) {
        this.schedule = checkNotNull(schedule, "schedule");
        this.noiseMode = checkNotNull(noiseMode, "noiseMode");
        checkArgument(keptSteps.length >= 1, "a sampling plan needs at least one step");
        for (int j = 0; j < keptSteps.length; j++) {
            checkArgument(
                    keptSteps[j] >= 0 && keptSteps[j] < schedule.timesteps(),
                    "kept step %s is outside 0..%s",
                    keptSteps[j],
                    schedule.timesteps() - 1);
            checkArgument(
                    j == 0 || keptSteps[j] > keptSteps[j - 1],
                    "kept steps must be strictly increasing, got %s",
                    Arrays.toString(keptSteps));
        }
        int n = keptSteps.length;
        this.timesteps = keptSteps.clone();
        this.alphaBar = new double[n];
        this.alphaBarPrev = new double[n];
        this.c1 = new double[n];
        this.c2 = new double[n];
        this.posteriorVariance = new double[n];
        this.noiseStd = new double[n];
        for (int j = 0; j < n; j++) {
            // Reference section 4: abar'_j = abar[t_j], beta'_j = 1 - abar'_j / abar'_{j-1}.
            double abar = schedule.alphaBarExact(timesteps[j]);
            double abarPrev = j == 0 ? 1.0 : schedule.alphaBarExact(timesteps[j - 1]);
            double beta = 1.0 - abar / abarPrev;
            alphaBar[j] = abar;
            alphaBarPrev[j] = abarPrev;
            c1[j] = beta * Math.sqrt(abarPrev) / (1.0 - abar);
            c2[j] = (1.0 - abarPrev) * Math.sqrt(1.0 - beta) / (1.0 - abar);
            posteriorVariance[j] = beta * (1.0 - abarPrev) / (1.0 - abar);
            if (j == 0) {
                noiseStd[j] = 0.0; // the last step returns the mean: noise is masked where t == 0
            } else if (noiseMode == NoiseMode.REFERENCE_QUIRK) {
                // The reference's quirk: exp(0.5 L[t]) of the ORIGINAL schedule at the kept step.
                noiseStd[j] =
                        Math.exp(0.5 * schedule.posteriorLogVarianceClippedExact(timesteps[j]));
            } else {
                noiseStd[j] =
                        Math.exp(
                                0.5
                                        * Math.log(
                                                Math.max(
                                                        posteriorVariance[j],
                                                        NoiseSchedule.LOG_VARIANCE_FLOOR)));
            }
        }
    }

    /**
     * The reference's respacing {@code range(0, T, skip)}, with its noise quirk ({@link
     * NoiseMode#REFERENCE_QUIRK}); {@code skip = 1} is the full schedule. The demo uses {@code skip
     * = 250}: steps 750, 500, 250, 0.
     *
     * @throws IllegalArgumentException unless {@code T % skip == 0}
     */
    public static SamplingPlan referenceSkip(NoiseSchedule schedule, int skip) {
        return skip(schedule, skip, NoiseMode.REFERENCE_QUIRK);
    }

    /**
     * {@code range(0, T, skip)} with the given noise mode; {@code T % skip} must be 0, as in the
     * reference.
     */
    public static SamplingPlan skip(NoiseSchedule schedule, int skip, NoiseMode noiseMode) {
        int total = schedule.timesteps();
        checkArgument(
                skip >= 1 && skip <= total && total % skip == 0,
                "skip must divide the %s timesteps, got %s",
                total,
                skip);
        int[] kept = new int[total / skip];
        for (int j = 0; j < kept.length; j++) {
            kept[j] = j * skip;
        }
        return new SamplingPlan(schedule, kept, noiseMode);
    }

    /**
     * A consistent respacing onto any number of steps from 1 to T: kept steps {@code floor(j T /
     * steps)} for {@code j = 0 .. steps-1} (the reference's steps whenever {@code steps} divides T)
     * with recomputed variance ({@link NoiseMode#CONSISTENT}).
     */
    public static SamplingPlan consistent(NoiseSchedule schedule, int steps) {
        return evenlySpaced(schedule, steps, NoiseMode.CONSISTENT);
    }

    /**
     * Kept steps {@code floor(j T / steps)}, {@code j = 0 .. steps-1}, with the given noise mode.
     */
    public static SamplingPlan evenlySpaced(
            NoiseSchedule schedule, int steps, NoiseMode noiseMode) {
        int total = schedule.timesteps();
        checkArgument(steps >= 1 && steps <= total, "steps must be in 1..%s, got %s", total, steps);
        int[] kept = new int[steps];
        for (int j = 0; j < steps; j++) {
            kept[j] = (int) ((long) j * total / steps);
        }
        return new SamplingPlan(schedule, kept, noiseMode);
    }

    /** An explicit, strictly increasing set of kept original steps. */
    public static SamplingPlan of(NoiseSchedule schedule, int[] keptSteps, NoiseMode noiseMode) {
        return new SamplingPlan(schedule, checkNotNull(keptSteps, "keptSteps"), noiseMode);
    }

    /** The schedule this plan respaces. */
    public NoiseSchedule schedule() {
        return schedule;
    }

    /** How the ancestral noise is scaled. */
    public NoiseMode noiseMode() {
        return noiseMode;
    }

    /** Number of network evaluations (steps) in the plan. */
    public int steps() {
        return timesteps.length;
    }

    /** The original step t_j that the network receives at plan index j. */
    public int timestep(int j) {
        return timesteps[checkElementIndex(j, timesteps.length, "plan index")];
    }

    /** The kept original steps in increasing order (a copy). */
    public int[] timesteps() {
        return timesteps.clone();
    }

    /** abar'_j. */
    public double alphaBar(int j) {
        return alphaBar[checkElementIndex(j, timesteps.length, "plan index")];
    }

    /** abar'_{j-1}, 1 for j = 0. */
    public double alphaBarPrev(int j) {
        return alphaBarPrev[checkElementIndex(j, timesteps.length, "plan index")];
    }

    /** C1 at plan index j: the coefficient of x0 in the posterior mean. */
    public double posteriorMeanCoef1(int j) {
        return c1[checkElementIndex(j, timesteps.length, "plan index")];
    }

    /** C2 at plan index j: the coefficient of x_t in the posterior mean. */
    public double posteriorMeanCoef2(int j) {
        return c2[checkElementIndex(j, timesteps.length, "plan index")];
    }

    /** The respaced posterior variance at plan index j. */
    public double posteriorVariance(int j) {
        return posteriorVariance[checkElementIndex(j, timesteps.length, "plan index")];
    }

    /** The standard deviation of the noise an ancestral step adds at plan index j (0 at j = 0). */
    public double noiseStd(int j) {
        return noiseStd[checkElementIndex(j, timesteps.length, "plan index")];
    }

    @Override
    public String toString() {
        return "SamplingPlan["
                + timesteps.length
                + " steps of "
                + schedule
                + ", "
                + noiseMode
                + "]";
    }
}
