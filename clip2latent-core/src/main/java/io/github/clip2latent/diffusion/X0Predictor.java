package io.github.clip2latent.diffusion;

/**
 * What a sampler needs at each step: a prediction of x0 for the whole batch at one original step,
 * with the conditioning and guidance already bound (see {@link ClassifierFreeGuidance}).
 */
@FunctionalInterface
public interface X0Predictor {

    /**
     * @param x current latents {@code [rows, D]}, not modified
     * @param timestep the original diffusion step
     * @param x0 output {@code [rows, D]}
     */
    void predictX0(float[] x, int timestep, float[] x0);
}
