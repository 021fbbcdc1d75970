package io.github.clip2latent.diffusion;

import java.util.random.RandomGenerator;

/**
 * Where a sampling run's noise comes from: the initial x_T and each step's ancestral draw. The
 * default draws standard normals from a seeded generator ({@link #gaussian}); {@link RecordedNoise}
 * replays the draws of an earlier run (e.g. the reference's {@code torch.randn} calls), so that a
 * run can be reproduced exactly.
 *
 * <p>A source serves one run and is not thread-safe. Implementations must not allocate per step.
 */
public interface NoiseSource {

    /**
     * Fills the initial latents x_T.
     *
     * @param x output, the first {@code n} values are written
     * @param n rows x dim
     */
    void initial(float[] x, int n);

    /**
     * The generator the sampler draws step {@code k}'s noise from, in index order, one {@code
     * nextGaussian()} per element. {@code k} counts the steps taken, from 0 for the first (largest
     * t) step, whatever the sampler's plan index.
     *
     * @param k the step's position in the run
     * @param n rows x dim: the draws the step may take
     * @return the generator for that step
     */
    RandomGenerator step(int k, int n);

    /**
     * Standard normals from {@code random}: x_T first, then each step's draws, in the order the
     * samplers have always drawn them (so a seed gives the same bits as before this interface).
     *
     * @param random the caller's seeded generator
     * @return the source
     */
    static NoiseSource gaussian(RandomGenerator random) {
        return new NoiseSource() {
            @Override
            public void initial(float[] x, int n) {
                StandardNormal.fill(random, x, 0, n);
            }

            @Override
            public RandomGenerator step(int k, int n) {
                return random;
            }
        };
    }
}
