package io.github.clip2latent.diffusion;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.clip2latent.schedule.SamplingPlan;

import java.util.random.RandomGenerator;

/**
 * DDIM (Song et al. 2021, eq. 12) on an x0-predicting network: with {@code a = abar'_j}, {@code p =
 * abar'_{j-1}}, {@code eps = (x - sqrt(a) x0) / sqrt(1 - a)}, {@code sigma = eta sqrt((1 - p) / (1
 * - a)) sqrt(1 - a / p)}, {@code x = sqrt(p) x0 + sqrt(1 - p - sigma^2) eps + sigma z}. {@code eta
 * = 0} is deterministic; {@code eta = 1} matches the consistent DDPM posterior variance.
 */
public final class DdimSampler implements Sampler {

    private final double eta;

    /**
     * @param eta the stochasticity, in [0, 1]
     */
    public DdimSampler(double eta) {
        checkArgument(eta >= 0 && eta <= 1, "DDIM eta must be in [0, 1], got %s", eta);
        this.eta = eta;
    }

    /** The deterministic sampler, {@code eta = 0}. */
    public static DdimSampler deterministic() {
        return new DdimSampler(0);
    }

    /** The stochasticity. */
    public double eta() {
        return eta;
    }

    @Override
    public void step(
            SamplingPlan plan, int j, float[] x, float[] x0, int n, RandomGenerator random) {
        double a = plan.alphaBar(j);
        double p = plan.alphaBarPrev(j);
        double sigma = eta * Math.sqrt((1 - p) / (1 - a)) * Math.sqrt(1 - a / p);
        float sqrtA = (float) Math.sqrt(a);
        float invSqrtOneMinusA = (float) (1 / Math.sqrt(1 - a));
        float cX0 = (float) Math.sqrt(p);
        float cEps = (float) Math.sqrt(Math.max(0, 1 - p - sigma * sigma));
        float s = (float) sigma;
        if (s > 0) {
            for (int i = 0; i < n; i++) {
                float eps = (x[i] - sqrtA * x0[i]) * invSqrtOneMinusA;
                x[i] = cX0 * x0[i] + cEps * eps + s * (float) random.nextGaussian();
            }
        } else {
            for (int i = 0; i < n; i++) {
                float eps = (x[i] - sqrtA * x0[i]) * invSqrtOneMinusA;
                x[i] = cX0 * x0[i] + cEps * eps;
            }
        }
    }

    @Override
    public String toString() {
        return "DDIM(eta=" + eta + ")";
    }
}
