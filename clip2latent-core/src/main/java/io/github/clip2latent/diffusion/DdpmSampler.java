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
    public void sample(
            SamplingPlan plan,
            X0Predictor model,
            float[] x,
            int rows,
            int dim,
            RandomGenerator random) {
        int n = rows * dim;
        float[] x0 = new float[n];
        for (int j = plan.steps() - 1; j >= 0; j--) {
            model.predictX0(x, plan.timestep(j), x0);
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
    }

    @Override
    public String toString() {
        return "DDPM";
    }
}
