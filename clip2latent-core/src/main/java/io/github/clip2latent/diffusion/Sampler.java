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
     * Runs the plan with noise from {@code noise}: x_T from {@link NoiseSource#initial}, then step
     * k's draws from {@link NoiseSource#step}. With {@link NoiseSource#gaussian} this gives the
     * same bits as filling x with {@link StandardNormal} and calling {@link #sample(SamplingPlan,
     * X0Predictor, float[], int, int, RandomGenerator)} with the same generator.
     *
     * @param plan the steps and coefficients
     * @param model the x0 prediction, guidance bound
     * @param x output, the sample {@code [rows, dim]}
     * @param rows batch size
     * @param dim latent width
     * @param noise the run's noise
     * @param observer called after each step with the step's position k (0 first), its plan index,
     *     the x0 prediction and the new x; may be null. The arrays are the sampler's own buffers:
     *     read them, do not keep them.
     */
    default void sample(
            SamplingPlan plan,
            X0Predictor model,
            float[] x,
            int rows,
            int dim,
            NoiseSource noise,
            StepObserver observer) {
        int n = rows * dim;
        noise.initial(x, n);
        float[] x0 = new float[n]; // one buffer per call, reused by every step
        int k = 0;
        for (int j = plan.steps() - 1; j >= 0; j--, k++) {
            model.predictX0(x, plan.timestep(j), x0);
            step(plan, j, x, x0, n, noise.step(k, n));
            if (observer != null) {
                observer.afterStep(k, j, x0, x);
            }
        }
    }

    /**
     * Sees each step of a {@link #sample(SamplingPlan, X0Predictor, float[], int, int, NoiseSource,
     * StepObserver)} run, e.g. to record or compare intermediate latents.
     */
    @FunctionalInterface
    interface StepObserver {
        /**
         * @param k the step's position in the run, 0 for the first
         * @param j the plan index
         * @param x0 the x0 prediction used by the step
         * @param x the latents after the step
         */
        void afterStep(int k, int j, float[] x0, float[] x);
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
