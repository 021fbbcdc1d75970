package io.github.clip2latent.benchmarks;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.diffusion.ClassifierFreeGuidance;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.schedule.SamplingPlan;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * One prior sampling call at the paper's size (dim 512, depth 12, 48.77 M seeded random
 * parameters), guidance 2, DDPM with the reference's respacing: 4 steps (skip 250) and 50 steps
 * (skip 20), batch 1 and 16, the conditional and unconditional passes in one run of 2B rows or one
 * after the other.
 *
 * <p>The 1000-step case is in {@link PriorSampling1000Benchmark}. Compare {@code BATCHED} with
 * {@code SEQUENTIAL} at batch 16 for the guidance ratio, and run with {@code -prof gc}: the
 * difference of {@code gc.alloc.rate.norm} between 50 and 4 steps, over 46 steps, is the allocation
 * per step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
// One fork is enough: ONNX Runtime's own threads dominate; the heap holds no weights (they are
// native).
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
public class PriorSamplingBenchmark {

    /** Images per call (B); guidance doubles the rows the network sees. */
    @Param({"1", "16"})
    public int batch;

    /** Sampling steps; the reference's respacing with skip = 1000 / steps. */
    @Param({"4", "50"})
    public int steps;

    /** Both guidance passes in one run, or the reference's two runs. */
    @Param({"BATCHED", "SEQUENTIAL"})
    public ClassifierFreeGuidance.Batching batching;

    private PriorSampling prior;
    private SamplingPlan plan;

    /** Opens the prior (writing the random bundle on first use); none of this is measured. */
    @Setup(Level.Trial)
    public void setUp() throws BundleException {
        prior =
                PriorSampling.open(
                        BenchmarkData.paperPriorBundle(),
                        RuntimeOptions.defaults(),
                        batch,
                        BenchmarkData.SEED);
        plan = prior.plan(steps);
    }

    /** Frees the session. */
    @TearDown(Level.Trial)
    public void tearDown() {
        prior.close();
    }

    /** One sampling call, as {@code sample()} makes it. */
    @Benchmark
    public void sample(Blackhole blackhole) {
        blackhole.consume(prior.sample(plan, batching));
    }
}
