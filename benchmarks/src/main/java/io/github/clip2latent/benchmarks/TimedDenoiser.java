package io.github.clip2latent.benchmarks;

import io.github.clip2latent.diffusion.Denoiser;

/**
 * A {@link Denoiser} that adds up the wall-clock time spent inside another one: wrapped around the
 * prior's runner, everything else in a sampling loop is the library's own Java work.
 *
 * <p>The time counted as "inside" includes the runner's copies into and out of its direct buffers,
 * so the share outside it is a lower bound of the Java overhead; those copies are a few hundred kB
 * per step and are measured separately by {@link SamplerStepBenchmark}'s trivial denoiser. Not
 * thread-safe.
 */
public final class TimedDenoiser implements Denoiser {

    private final Denoiser inner;
    private long nanos;
    private long calls;

    /** Wraps {@code inner}. */
    public TimedDenoiser(Denoiser inner) {
        this.inner = inner;
    }

    @Override
    public int latentDim() {
        return inner.latentDim();
    }

    @Override
    public int conditionDim() {
        return inner.conditionDim();
    }

    @Override
    public void predictX0(
            float[] xt, long[] timesteps, float[] condition, boolean[] keep, int rows, float[] x0) {
        long start = System.nanoTime();
        inner.predictX0(xt, timesteps, condition, keep, rows, x0);
        nanos += System.nanoTime() - start;
        calls++;
    }

    /** Nanoseconds spent inside the wrapped denoiser since the last {@link #reset()}. */
    public long nanos() {
        return nanos;
    }

    /** Calls since the last {@link #reset()}. */
    public long calls() {
        return calls;
    }

    /** Sets both counters to zero. */
    public void reset() {
        nanos = 0;
        calls = 0;
    }
}
