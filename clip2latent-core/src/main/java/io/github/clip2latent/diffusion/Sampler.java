package io.github.clip2latent.diffusion;

import io.github.clip2latent.schedule.SamplingPlan;

import java.util.random.RandomGenerator;

/**
 * A reverse-diffusion sampler. Implementations are stateless and thread-safe; all randomness comes
 * from the generator passed in, so the same seed gives the same bits.
 */
public interface Sampler {

    /**
     * Runs the plan from its first step (largest t) to plan index 0, in place.
     *
     * @param plan the steps and coefficients
     * @param model the x0 prediction, guidance bound
     * @param x on entry x_T (usually standard normal, see {@link StandardNormal}), on exit the
     *     sample; {@code [rows, dim]}
     * @param rows batch size
     * @param dim latent width
     * @param random the noise stream for ancestral steps
     */
    default void sample(
            SamplingPlan plan,
            X0Predictor model,
            float[] x,
            int rows,
            int dim,
            RandomGenerator random) {
        int n = rows * dim;
        float[] x0 = new float[n]; // one buffer per call, reused by every step
        for (int j = plan.steps() - 1; j >= 0; j--) {
            model.predictX0(x, plan.timestep(j), x0);
            step(plan, j, x, x0, n, random);
        }
    }

    /**
     * One reverse step at plan index {@code j}, in place: from x at step {@code t_j} and the x0
     * prediction to x at the next kept step (or the sample, at {@code j = 0}).
     *
     * @param x {@code [n]} current latents, overwritten
     * @param x0 {@code [n]} the x0 prediction at this step
     * @param n rows x dim
     * @param random the noise stream
     */
    void step(SamplingPlan plan, int j, float[] x, float[] x0, int n, RandomGenerator random);
}
