package io.github.clip2latent.diffusion;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.random.RandomGenerator;

/**
 * Replays recorded noise: a given x_T and, for each step k, the {@code [rows, dim]} draws that the
 * step multiplies by its noise standard deviation (the reference draws one {@code torch.randn} per
 * step, including the last, whose draw is multiplied by 0). The arrays are copied once; replaying
 * allocates nothing.
 */
public final class RecordedNoise implements NoiseSource {

    private final float[] initial;
    private final float[] steps;
    private final int n;
    private final int stepCount;
    private final Cursor cursor = new Cursor();

    /**
     * @param initial x_T, {@code [rows, dim]}
     * @param steps the draws of every step in run order, {@code [steps, rows, dim]}
     * @param n rows x dim
     */
    public RecordedNoise(float[] initial, float[] steps, int n) {
        checkNotNull(initial, "initial");
        checkNotNull(steps, "steps");
        checkArgument(n >= 1, "n must be >= 1, got %s", n);
        checkArgument(
                initial.length == n, "initial noise has %s values, expected %s", initial.length, n);
        checkArgument(
                steps.length % n == 0,
                "step noise has %s values, not a multiple of rows x dim = %s",
                steps.length,
                n);
        this.initial = initial.clone();
        this.steps = steps.clone();
        this.n = n;
        this.stepCount = steps.length / n;
    }

    /** The number of recorded steps. */
    public int steps() {
        return stepCount;
    }

    @Override
    public void initial(float[] x, int count) {
        checkArgument(count == n, "the run has %s values per step, the recording %s", count, n);
        System.arraycopy(initial, 0, x, 0, n);
    }

    @Override
    public RandomGenerator step(int k, int count) {
        checkArgument(count == n, "the run has %s values per step, the recording %s", count, n);
        checkArgument(
                k >= 0 && k < stepCount,
                "step %s was not recorded (the recording has %s steps)",
                k,
                stepCount);
        cursor.base = k * n;
        cursor.next = 0;
        return cursor;
    }

    /** Hands out one recorded step's values in index order. */
    private final class Cursor implements RandomGenerator {
        int base;
        int next;

        @Override
        public double nextGaussian() {
            if (next >= n) {
                throw new IllegalStateException(
                        "a step drew more than the " + n + " recorded values");
            }
            return steps[base + next++];
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("recorded noise only replays Gaussian draws");
        }
    }
}
