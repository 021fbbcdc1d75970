package io.github.clip2latent.benchmarks;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.diffusion.ClassifierFreeGuidance;
import io.github.clip2latent.diffusion.Denoiser;
import io.github.clip2latent.diffusion.GuidedSampling;
import io.github.clip2latent.diffusion.NoiseSource;
import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.diffusion.StandardNormal;
import io.github.clip2latent.runtime.PriorNetwork;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.schedule.NoiseSchedule;
import io.github.clip2latent.schedule.SamplingPlan;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * The prior's sampling loop as {@code sample()} runs it (a runner per call and the core's {@link
 * GuidedSampling} with DDPM, x_T from the seed), without the other stages, so that its cost can be
 * measured alone. Holds the open network and the per-benchmark inputs; {@link #close()} frees the
 * session.
 */
public final class PriorSampling implements AutoCloseable {

    /** The guidance scale of the paper's demo. */
    public static final float GUIDANCE = 2f;

    private final PriorNetwork network;
    private final NoiseSchedule schedule;
    private final int rows;
    private final int dim;
    private final float[] conditions;
    private final long seed;

    private PriorSampling(PriorNetwork network, NoiseSchedule schedule, int rows, long seed) {
        this.network = network;
        this.schedule = schedule;
        this.rows = rows;
        this.dim = network.latentDim();
        this.seed = seed;
        // Unit-norm random rows stand in for CLIP embeddings, which the reference normalizes.
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int c = network.conditionDim();
        this.conditions = StandardNormal.sample(random, rows * c);
        for (int r = 0; r < rows; r++) {
            double norm = 0;
            for (int i = 0; i < c; i++) {
                norm += conditions[r * c + i] * conditions[r * c + i];
            }
            float scale = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < c; i++) {
                conditions[r * c + i] *= scale;
            }
        }
    }

    /** Opens the prior of {@code bundle} for batches of {@code rows}. */
    public static PriorSampling open(Path bundle, RuntimeOptions options, int rows, long seed)
            throws BundleException {
        ModelBundle opened = ModelBundle.open(bundle);
        PriorNetwork network = PriorNetwork.open(opened, new SessionFactory(options));
        NoiseSchedule schedule =
                NoiseSchedule.of(opened.manifest().betaSchedule(), opened.manifest().timesteps());
        return new PriorSampling(network, schedule, rows, seed);
    }

    /**
     * The reference's respacing onto {@code steps} steps: {@code skip = T / steps} (250 for 4
     * steps).
     */
    public SamplingPlan plan(int steps) {
        int total = schedule.timesteps();
        if (steps < 1 || total % steps != 0) {
            throw new IllegalArgumentException(
                    "steps must divide the " + total + " timesteps, got " + steps);
        }
        return SamplingPlan.referenceSkip(schedule, total / steps);
    }

    /** The open network. */
    public PriorNetwork network() {
        return network;
    }

    /** Batch size. */
    public int rows() {
        return rows;
    }

    /** Latent width. */
    public int dim() {
        return dim;
    }

    /** One sampling call with guidance {@value #GUIDANCE}; returns the new z-scored latents. */
    public float[] sample(SamplingPlan plan, ClassifierFreeGuidance.Batching batching) {
        return sample(plan, batching, UnaryOperator.identity());
    }

    /**
     * One sampling call as {@code SamplingCall} makes it: a fresh runner (closed after), then
     * {@link GuidedSampling} with x_T and the sampler's noise from one seeded stream.
     *
     * @param wrap wraps the runner, e.g. in a {@link TimedDenoiser}
     */
    public float[] sample(
            SamplingPlan plan,
            ClassifierFreeGuidance.Batching batching,
            UnaryOperator<Denoiser> wrap) {
        GuidedSampling sampling =
                new GuidedSampling(plan, SamplerKind.DDPM.create(), GUIDANCE, batching);
        try (PriorNetwork.Runner runner = network.newRunner()) {
            return sampling.sample(
                    wrap.apply(runner),
                    conditions,
                    null,
                    rows,
                    NoiseSource.gaussian(new SplittableRandom(seed)));
        }
    }

    @Override
    public void close() {
        network.close();
    }
}
