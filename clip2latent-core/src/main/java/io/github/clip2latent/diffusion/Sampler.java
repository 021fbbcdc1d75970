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
    void sample(
            SamplingPlan plan,
            X0Predictor model,
            float[] x,
            int rows,
            int dim,
            RandomGenerator random);
}
