package io.github.clip2latent.benchmarks;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.diffusion.StandardNormal;
import io.github.clip2latent.runtime.PriorNetwork;
import io.github.clip2latent.runtime.RuntimeOptions;

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

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One prior network call at the paper's size under each CPU session setting, to choose the defaults
 * by measurement: intra-op threads, graph optimization level and memory pattern. Rows 2 and 32 are
 * batch 1 and batch 16 with guidance's two passes batched. A fresh session per trial, so settings
 * never mix.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
public class SessionSettingsBenchmark {

    /** Rows per network call. */
    @Param({"2", "32"})
    public int rows;

    /** ONNX Runtime intra-op threads; 0 is its default, one per core. */
    @Param({"1", "2"})
    public int intraOpThreads;

    /** Graph optimization level. */
    @Param({"BASIC_OPT", "EXTENDED_OPT", "ALL_OPT"})
    public OptLevel optimizationLevel;

    /** Memory pattern pre-planning. */
    @Param({"true", "false"})
    public boolean memoryPattern;

    private PriorSampling prior;
    private PriorNetwork.Runner runner;
    private float[] xt;
    private long[] timesteps;
    private float[] conditions;
    private boolean[] keep;
    private float[] x0;

    /** Opens the prior with the setting under test; not measured. */
    @Setup(Level.Trial)
    public void setUp() throws BundleException {
        RuntimeOptions options =
                RuntimeOptions.cpu()
                        .withIntraOpThreads(intraOpThreads)
                        .withOptimizationLevel(optimizationLevel)
                        .withMemoryPattern(memoryPattern);
        prior =
                PriorSampling.open(
                        BenchmarkData.paperPriorBundle(), options, rows, BenchmarkData.SEED);
        runner = prior.network().newRunner();
        SplittableRandom random = new SplittableRandom(BenchmarkData.SEED);
        int d = prior.dim();
        xt = StandardNormal.sample(random, rows * d);
        conditions = StandardNormal.sample(random, rows * prior.network().conditionDim());
        timesteps = new long[rows];
        Arrays.fill(timesteps, 500);
        keep = new boolean[rows];
        // Half the rows conditional, half not, as guidance sends them.
        Arrays.fill(keep, 0, Math.max(1, rows / 2), true);
        x0 = new float[rows * d];
    }

    /** Frees the runner and the session. */
    @TearDown(Level.Trial)
    public void tearDown() {
        runner.close();
        prior.close();
    }

    /** One call of the network. */
    @Benchmark
    public void call(Blackhole blackhole) {
        runner.predictX0(xt, timesteps, conditions, keep, rows, x0);
        blackhole.consume(x0);
    }
}
