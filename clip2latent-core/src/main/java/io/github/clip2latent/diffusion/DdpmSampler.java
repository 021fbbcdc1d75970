package io.github.clip2latent.diffusion;

import io.github.clip2latent.schedule.SamplingPlan;

import java.util.random.RandomGenerator;

/**
 * The ancestral DDPM sampler of the reference (reference section 4): at each kept step {@code mean
 * = C1 x0 + C2 x}, {@code x = mean + [j > 0] std z}, with the plan's noise std (which is the
 * reference's quirk or the consistent one, see {@link io.github.clip2latent.schedule.NoiseMode}).
 * No clamping or renormalization of x0. Coefficients are applied in float32, as the reference
 * stores them.
 */
public final class DdpmSampler implements Sampler {

    /** The sampler; it is stateless. */
    public static final DdpmSampler INSTANCE = new DdpmSampler();

    private DdpmSampler() {}

    @Override
    public void step(
            SamplingPlan plan, int j, float[] x, float[] x0, int n, RandomGenerator random) {
        float c1 = (float) plan.posteriorMeanCoef1(j);
        float c2 = (float) plan.posteriorMeanCoef2(j);
        float std = (float) plan.noiseStd(j);
        if (j > 0) {
            for (int i = 0; i < n; i++) {
                x[i] = c1 * x0[i] + c2 * x[i] + std * (float) random.nextGaussian();
            }
        } else {
            for (int i = 0; i < n; i++) {
                x[i] = c1 * x0[i] + c2 * x[i];
            }
        }
    }

    @Override
    public String toString() {
        return "DDPM";
    }
}
