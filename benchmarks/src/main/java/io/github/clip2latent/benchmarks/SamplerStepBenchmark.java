package io.github.clip2latent.benchmarks;

import io.github.clip2latent.diffusion.ClassifierFreeGuidance;
import io.github.clip2latent.diffusion.DdimSampler;
import io.github.clip2latent.diffusion.DdpmSampler;
import io.github.clip2latent.diffusion.Denoiser;
import io.github.clip2latent.diffusion.Sampler;
import io.github.clip2latent.diffusion.StandardNormal;
import io.github.clip2latent.schedule.NoiseSchedule;
import io.github.clip2latent.schedule.SamplingPlan;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The core sampler's own cost per step, batch 16, dim 512, guidance 2: the guidance copies and mix
 * and the sampler update with its Gaussian noise, around a denoiser that only halves its input.
 * Scores are per step ({@link OperationsPerInvocation}); so is {@code gc.alloc.rate.norm} under
 * {@code -prof gc}.
 *
 * <p>This is the Java work that a prior step adds to the ONNX Runtime call; the guidance object is
 * made once in set-up, so only per-step work (and the sampler's one x0 array per call) is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class SamplerStepBenchmark {

    private static final int BATCH = 16;
    private static final int DIM = 512;
    private static final int FEW = 4;
    private static final int MANY = 50;

    /** The sampler under test. */
    @Param({"DDPM", "DDIM"})
    public String sampler;

    private Sampler chosen;
    private ClassifierFreeGuidance guidance;
    private SamplingPlan fewSteps;
    private SamplingPlan manySteps;
    private float[] start;
    private float[] x;
    private SplittableRandom random;

    /** Builds the plans, the guidance and x_T; not measured. */
    @Setup
    public void setUp() {
        chosen = sampler.equals("DDIM") ? DdimSampler.deterministic() : DdpmSampler.INSTANCE;
        NoiseSchedule schedule = NoiseSchedule.cosine(1000);
        fewSteps = SamplingPlan.referenceSkip(schedule, 1000 / FEW);
        manySteps = SamplingPlan.referenceSkip(schedule, 1000 / MANY);
        random = new SplittableRandom(BenchmarkData.SEED);
        start = StandardNormal.sample(random, BATCH * DIM);
        x = new float[BATCH * DIM];
        float[] condition = StandardNormal.sample(random, BATCH * DIM);
        guidance =
                ClassifierFreeGuidance.of(
                        new Halving(DIM), PriorSampling.GUIDANCE, condition, BATCH);
    }

    /**
     * A 4-step call, scored per step: a call's fixed costs weigh 12.5 times more than at 50 steps.
     */
    @Benchmark
    @OperationsPerInvocation(FEW)
    public void fourSteps(Blackhole blackhole) {
        System.arraycopy(start, 0, x, 0, x.length);
        chosen.sample(fewSteps, guidance, x, BATCH, DIM, random);
        blackhole.consume(x);
    }

    /** A 50-step call, scored per step. */
    @Benchmark
    @OperationsPerInvocation(MANY)
    public void fiftySteps(Blackhole blackhole) {
        System.arraycopy(start, 0, x, 0, x.length);
        chosen.sample(manySteps, guidance, x, BATCH, DIM, random);
        blackhole.consume(x);
    }

    /**
     * x0 = x / 2: enough to keep the latents bounded, cheap enough that the sampler's work shows.
     */
    static final class Halving implements Denoiser {

        private final int dim;

        Halving(int dim) {
            this.dim = dim;
        }

        @Override
        public int latentDim() {
            return dim;
        }

        @Override
        public int conditionDim() {
            return dim;
        }

        @Override
        public void predictX0(
                float[] xt,
                long[] timesteps,
                float[] condition,
                boolean[] keep,
                int rows,
                float[] x0) {
            for (int i = 0, n = rows * dim; i < n; i++) {
                x0[i] = 0.5f * xt[i];
            }
        }
    }
}
