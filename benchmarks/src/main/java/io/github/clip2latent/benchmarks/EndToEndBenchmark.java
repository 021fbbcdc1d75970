package io.github.clip2latent.benchmarks;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.bundle.BundleException;
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

import java.util.concurrent.TimeUnit;

/**
 * One {@code sample()} call, prompt to re-ranked image, with 1 or 16 candidates (the paper's
 * re-ranking), the demo's settings: guidance 2, 4 steps (skip 250): the case the paper's Table 1
 * times.
 *
 * <p>The bundle is the {@code bundle} parameter, else the system property {@value
 * BenchmarkData#BUNDLE_PROPERTY}, else a random bundle with the paper-size prior and small fixture
 * encoders and generator (so on it the prior dominates, as on a GPU; the real 1024 px StyleGAN and
 * CLIP ViT-B/32 would add their own cost).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
public class EndToEndBenchmark {

    /** A bundle folder; empty for the default (see the class comment). */
    @Param({""})
    public String bundle;

    /** Candidates re-ranked by CLIP score for the one output image. */
    @Param({"1", "16"})
    public int candidates;

    private Clip2Latent model;

    /** Loads the bundle (writing the random one on first use); not measured. */
    @Setup(Level.Trial)
    public void setUp() throws BundleException {
        model = Clip2Latent.load(BenchmarkData.endToEndBundle(bundle), RuntimeOptions.defaults());
    }

    /** Closes the handle. */
    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    /** One call with a fixed seed, so that every call does the same work. */
    @Benchmark
    public void sample(Blackhole blackhole) {
        blackhole.consume(
                model.prompt("a photo of an old man with glasses")
                        .guidance(2)
                        .candidates(candidates)
                        .seed(BenchmarkData.SEED)
                        .sample());
    }
}
