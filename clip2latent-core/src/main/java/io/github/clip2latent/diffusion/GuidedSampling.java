package io.github.clip2latent.diffusion;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.schedule.SamplingPlan;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The prior's sampling loop, the one place it is assembled (the API, training validation and the
 * benchmarks call it): x_T from a {@link NoiseSource} (the seam for recorded or fixed noise),
 * classifier-free guidance on the x0 prediction, then the sampler's steps from the largest kept t
 * to 0 (reference section 4: {@code x = randn}, {@code for t in reversed(timesteps): x0 = null + s
 * (cond - null); x = p_sample(x, x0, t)}). The result is the z-scored latent; de-normalizing and
 * truncation are the caller's.
 *
 * @param plan the kept steps and their coefficients
 * @param sampler DDPM or DDIM, see {@link SamplerKind#create()}
 * @param guidanceScale classifier-free guidance scale s, >= 0 (1 = conditional only)
 * @param batching how the conditional and unconditional passes reach the network
 */
public record GuidedSampling(
        SamplingPlan plan,
        Sampler sampler,
        float guidanceScale,
        ClassifierFreeGuidance.Batching batching) {

    /** Validates. */
    public GuidedSampling {
        checkNotNull(plan, "plan");
        checkNotNull(sampler, "sampler");
        checkNotNull(batching, "batching");
        checkArgument(
                Float.isFinite(guidanceScale) && guidanceScale >= 0,
                "guidance scale must be finite and >= 0, got %s",
                guidanceScale);
    }

    /** Batched guidance (one network call of 2B rows per step). */
    public GuidedSampling(SamplingPlan plan, Sampler sampler, float guidanceScale) {
        this(plan, sampler, guidanceScale, ClassifierFreeGuidance.Batching.BATCHED);
    }

    /**
     * Noise that starts from a given x_T (copied) and draws the steps from {@code steps}: callers
     * that compare runs from the same x_T (validation) use it.
     */
    public static NoiseSource startingFrom(float[] xT, RandomGenerator steps) {
        checkNotNull(xT, "xT");
        checkNotNull(steps, "steps");
        return new NoiseSource() {
            @Override
            public void initial(float[] x, int n) {
                checkArgument(
                        xT.length >= n, "initial noise has %s values, %s needed", xT.length, n);
                System.arraycopy(xT, 0, x, 0, n);
            }

            @Override
            public RandomGenerator step(int k, int n) {
                return steps;
            }
        };
    }

    /**
     * Samples {@code rows} latents guided by {@code conditions}.
     *
     * @param denoiser the prior network
     * @param conditions {@code [rows, C]}
     * @param negatives {@code [rows, C]} to guide away from, or null for the dropped condition
     * @param rows batch size
     * @param noise x_T and the step draws, e.g. {@link NoiseSource#gaussian} of a seeded generator
     * @return {@code [rows, D]} z-scored latents
     */
    public float[] sample(
            Denoiser denoiser, float[] conditions, float[] negatives, int rows, NoiseSource noise) {
        X0Predictor guided =
                ClassifierFreeGuidance.create(
                        denoiser, guidanceScale, conditions, negatives, rows, batching);
        return run(guided, denoiser.latentDim(), rows, noise);
    }

    /**
     * Samples {@code rows} latents with the condition dropped (key masked, as in training's
     * condition dropout) and no guidance: the prior's unconditional distribution.
     *
     * @param denoiser the prior network
     * @param conditions {@code [rows, C]}, masked (their values do not matter)
     */
    public float[] sampleUnconditional(
            Denoiser denoiser, float[] conditions, int rows, NoiseSource noise) {
        checkArgument(rows >= 1, "rows must be >= 1, got %s", rows);
        boolean[] drop = new boolean[rows];
        long[] steps = new long[rows];
        X0Predictor model =
                (xt, timestep, out) -> {
                    Arrays.fill(steps, timestep);
                    denoiser.predictX0(xt, steps, conditions, drop, rows, out);
                };
        return run(model, denoiser.latentDim(), rows, noise);
    }

    private float[] run(X0Predictor model, int dim, int rows, NoiseSource noise) {
        checkNotNull(noise, "noise");
        float[] x = new float[Math.multiplyExact(rows, dim)];
        sampler.sample(plan, model, x, rows, dim, noise, null);
        return x;
    }
}
