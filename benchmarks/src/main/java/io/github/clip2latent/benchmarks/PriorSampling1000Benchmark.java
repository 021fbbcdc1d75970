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
 * The full 1000-step schedule at the paper's prior size, the paper's slow baseline (11.76 s on an
 * A100 with re-ranking). Batch 1 only by default: on a 2-core CPU one call at batch 16 (32 rows a
 * step with guidance) takes minutes, so {@code -p batch=16} is left to faster machines. Each call
 * is timed on its own (single shot) since one call already lasts seconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
public class PriorSampling1000Benchmark {

    /** Images per call. */
    @Param({"1"})
    public int batch;

    /** Both guidance passes in one run, or one after the other. */
    @Param({"BATCHED"})
    public ClassifierFreeGuidance.Batching batching;

    private PriorSampling prior;
    private SamplingPlan plan;

    /** Opens the prior; not measured. */
    @Setup(Level.Trial)
    public void setUp() throws BundleException {
        prior =
                PriorSampling.open(
                        BenchmarkData.paperPriorBundle(),
                        RuntimeOptions.defaults(),
                        batch,
                        BenchmarkData.SEED);
        plan = prior.plan(1000);
    }

    /** Frees the session. */
    @TearDown(Level.Trial)
    public void tearDown() {
        prior.close();
    }

    /** One 1000-step sampling call. */
    @Benchmark
    public void sample(Blackhole blackhole) {
        blackhole.consume(prior.sample(plan, batching));
    }
}
