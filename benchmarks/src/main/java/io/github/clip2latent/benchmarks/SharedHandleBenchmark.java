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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * {@code sample()} throughput with one and with two threads sharing one {@link Clip2Latent} handle
 * (the handle is documented as thread-safe): the total calls per second of all threads. One
 * candidate, the demo's settings, the same bundle as {@link EndToEndBenchmark}.
 *
 * <p>Both threads share ONNX Runtime's intra-op pool of each session, so on a 2-core machine two
 * threads are not expected to double throughput; the figure says how much the handle costs in
 * contention.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
public class SharedHandleBenchmark {

    /** The one handle every thread uses. */
    @State(Scope.Benchmark)
    public static class Handle {

        /**
         * A bundle folder; empty for the default of {@link BenchmarkData#endToEndBundle(String)}.
         */
        @Param({""})
        public String bundle;

        Clip2Latent model;

        /** Loads the bundle; not measured. */
        @Setup(Level.Trial)
        public void setUp() throws BundleException {
            model =
                    Clip2Latent.load(
                            BenchmarkData.endToEndBundle(bundle), RuntimeOptions.defaults());
        }

        /** Closes the handle. */
        @TearDown(Level.Trial)
        public void tearDown() {
            model.close();
        }
    }

    /** Each thread's own seeds, so that threads do not draw the same image. */
    @State(Scope.Thread)
    public static class Seeds {
        long next = BenchmarkData.SEED;
    }

    /** One thread. */
    @Benchmark
    @Threads(1)
    public void oneThread(Handle handle, Seeds seeds, Blackhole blackhole) {
        blackhole.consume(call(handle, seeds));
    }

    /** Two threads on the same handle. */
    @Benchmark
    @Threads(2)
    public void twoThreads(Handle handle, Seeds seeds, Blackhole blackhole) {
        blackhole.consume(call(handle, seeds));
    }

    private static Object call(Handle handle, Seeds seeds) {
        return handle.model
                .prompt("a photo of an old man with glasses")
                .guidance(2)
                .seed(seeds.next++)
                .sample();
    }
}
