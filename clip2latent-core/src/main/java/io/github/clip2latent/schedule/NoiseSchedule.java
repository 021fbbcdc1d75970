package io.github.clip2latent.schedule;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;

/**
 * A discrete diffusion noise schedule and every table derived from it.
 *
 * <p>All tables are computed in float64, as the reference does, and kept in float64 so that {@link
 * SamplingPlan} can respace them without a rounding round-trip; the float accessors give the
 * float32 values the reference stores in its buffers (reference section 1).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class NoiseSchedule {

    /** The reference clamps the posterior variance at this value before taking its log. */
    static final double LOG_VARIANCE_FLOOR = 1e-20;

    private final BetaSchedule kind;
    private final double[] betas;
    private final double[] alphaBars;
    private final double[] alphaBarsPrev;
    private final double[] posteriorVariance;
    private final double[] posteriorLogVarianceClipped;
    private final double[] posteriorMeanCoef1;
    private final double[] posteriorMeanCoef2;

    private NoiseSchedule(BetaSchedule kind, double[] betas) {
        this.kind = kind;
        int steps = betas.length;
        this.betas = betas;
        this.alphaBars = new double[steps];
        this.alphaBarsPrev = new double[steps];
        this.posteriorVariance = new double[steps];
        this.posteriorLogVarianceClipped = new double[steps];
        this.posteriorMeanCoef1 = new double[steps];
        this.posteriorMeanCoef2 = new double[steps];
        // Reference section 1: alpha = 1 - beta, abar = cumprod(alpha), abar_prev = [1, abar[:-1]].
        double product = 1.0;
        for (int t = 0; t < steps; t++) {
            alphaBarsPrev[t] = product;
            product *= 1.0 - betas[t];
            alphaBars[t] = product;
        }
        for (int t = 0; t < steps; t++) {
            double beta = betas[t];
            double abar = alphaBars[t];
            double abarPrev = alphaBarsPrev[t];
            // pv = beta (1 - abar_prev) / (1 - abar); L = log(max(pv, 1e-20));
            // C1 = beta sqrt(abar_prev) / (1 - abar); C2 = (1 - abar_prev) sqrt(alpha) / (1 -
            // abar).
            posteriorVariance[t] = beta * (1.0 - abarPrev) / (1.0 - abar);
            posteriorLogVarianceClipped[t] =
                    Math.log(Math.max(posteriorVariance[t], LOG_VARIANCE_FLOOR));
            posteriorMeanCoef1[t] = beta * Math.sqrt(abarPrev) / (1.0 - abar);
            posteriorMeanCoef2[t] = (1.0 - abarPrev) * Math.sqrt(1.0 - beta) / (1.0 - abar);
        }
    }

    /**
     * The schedule of the given kind.
     *
     * @param timesteps the number of diffusion steps T, at least 2
     */
    public static NoiseSchedule of(BetaSchedule kind, int timesteps) {
        return switch (kind) {
            case COSINE -> cosine(timesteps);
            case LINEAR -> linear(timesteps);
        };
    }

    /**
     * The cosine schedule of reference section 1: {@code f = cos(((x/T) + 0.008) / 1.008 *
     * pi/2)^2}, {@code abar = f / f[0]}, {@code beta_t = clip(1 - abar[t+1]/abar[t], 0, 0.999)}.
     */
    public static NoiseSchedule cosine(int timesteps) {
        checkTimesteps(timesteps);
        double s = 0.008;
        double[] f = new double[timesteps + 1];
        for (int i = 0; i <= timesteps; i++) {
            double x = (double) i; // linspace(0, T, T+1) has integer points
            double c = Math.cos(((x / timesteps) + s) / (1 + s) * Math.PI * 0.5);
            f[i] = c * c;
        }
        double[] betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            double ratio = (f[t + 1] / f[0]) / (f[t] / f[0]);
            betas[t] = Math.min(Math.max(1.0 - ratio, 0.0), 0.999);
        }
        return new NoiseSchedule(BetaSchedule.COSINE, betas);
    }

    /**
     * DALLE2-pytorch's linear schedule: {@code scale = 1000 / T}, {@code beta = linspace(scale *
     * 1e-4, scale * 0.02, T)} in float64.
     */
    public static NoiseSchedule linear(int timesteps) {
        checkTimesteps(timesteps);
        double scale = 1000.0 / timesteps;
        double start = scale * 1e-4;
        double end = scale * 0.02;
        double[] betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            betas[t] = start + (end - start) * t / (timesteps - 1);
        }
        checkArgument(
                betas[timesteps - 1] < 1.0,
                "linear schedule with %s timesteps has beta >= 1 (%s); use more timesteps",
                timesteps,
                (Object) betas[timesteps - 1]);
        return new NoiseSchedule(BetaSchedule.LINEAR, betas);
    }

    private static void checkTimesteps(int timesteps) {
        checkArgument(timesteps >= 2, "timesteps must be at least 2, got %s", timesteps);
    }

    /** Which beta schedule this is. */
    public BetaSchedule kind() {
        return kind;
    }

    /** The number of diffusion steps T; valid steps are {@code 0 .. T-1}. */
    public int timesteps() {
        return betas.length;
    }

    /** beta_t as float32. */
    public float beta(int t) {
        return (float) betas[index(t)];
    }

    /** alpha_t = 1 - beta_t as float32. */
    public float alpha(int t) {
        return (float) (1.0 - betas[index(t)]);
    }

    /** The cumulative product abar_t as float32. */
    public float alphaBar(int t) {
        return (float) alphaBars[index(t)];
    }

    /** abar_{t-1}, with abar_{-1} = 1, as float32. */
    public float alphaBarPrev(int t) {
        return (float) alphaBarsPrev[index(t)];
    }

    /** sqrt(abar_t) as float32, the coefficient of x0 in q(x_t | x0). */
    public float sqrtAlphaBar(int t) {
        return (float) Math.sqrt(alphaBars[index(t)]);
    }

    /** sqrt(1 - abar_t) as float32, the coefficient of the noise in q(x_t | x0). */
    public float sqrtOneMinusAlphaBar(int t) {
        return (float) Math.sqrt(1.0 - alphaBars[index(t)]);
    }

    /** The posterior variance of q(x_{t-1} | x_t, x0) as float32. */
    public float posteriorVariance(int t) {
        return (float) posteriorVariance[index(t)];
    }

    /** log(max(posterior variance, 1e-20)) as float32. */
    public float posteriorLogVarianceClipped(int t) {
        return (float) posteriorLogVarianceClipped[index(t)];
    }

    /** C1, the coefficient of x0 in the posterior mean, as float32. */
    public float posteriorMeanCoef1(int t) {
        return (float) posteriorMeanCoef1[index(t)];
    }

    /** C2, the coefficient of x_t in the posterior mean, as float32. */
    public float posteriorMeanCoef2(int t) {
        return (float) posteriorMeanCoef2[index(t)];
    }

    /** abar_t in the float64 the tables were computed in. */
    public double alphaBarExact(int t) {
        return alphaBars[index(t)];
    }

    /** The clipped posterior log variance in float64. */
    public double posteriorLogVarianceClippedExact(int t) {
        return posteriorLogVarianceClipped[index(t)];
    }

    private int index(int t) {
        return checkElementIndex(t, betas.length, "timestep");
    }

    @Override
    public String toString() {
        return "NoiseSchedule[" + kind.manifestName() + ", " + betas.length + " steps]";
    }
}
