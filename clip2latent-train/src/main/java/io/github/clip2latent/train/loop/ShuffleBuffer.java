package io.github.clip2latent.train.loop;

import java.util.random.RandomGenerator;

/**
 * A bounded shuffle over a stream of row indices read in order, epoch after epoch ({@code 0, 1,
 * ..., size-1, 0, 1, ...}): each draw returns a random slot of the buffer and refills it with the
 * next streamed row. Sequential reading keeps shard access streaming; the buffer bounds memory. Its
 * whole state is a few longs plus the slots, so it is checkpointed. Not thread-safe.
 */
public final class ShuffleBuffer {

    private final long sourceSize;
    private final long[] slots;
    private long cursor;

    /**
     * Creates a buffer filled with the first {@code min(capacity, sourceSize)} rows.
     *
     * @param capacity number of slots, {@code >= 1}
     * @param sourceSize rows per pass, {@code >= 1}
     */
    public ShuffleBuffer(int capacity, long sourceSize) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        if (sourceSize < 1) {
            throw new IllegalArgumentException("sourceSize must be >= 1, got " + sourceSize);
        }
        this.sourceSize = sourceSize;
        this.slots = new long[(int) Math.min(capacity, sourceSize)];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = i;
        }
        this.cursor = slots.length;
    }

    private ShuffleBuffer(State state) {
        this.sourceSize = state.sourceSize();
        this.slots = state.slots().clone();
        this.cursor = state.cursor();
    }

    /**
     * Restores a buffer saved with {@link #state()}.
     *
     * @param state the saved state
     * @return a buffer that continues exactly where the saved one was
     */
    public static ShuffleBuffer restore(State state) {
        return new ShuffleBuffer(state);
    }

    /**
     * Draws the next row index.
     *
     * @param random the caller's random stream (one {@code nextInt} per draw)
     * @return a row in [0, sourceSize)
     */
    public long next(RandomGenerator random) {
        int j = random.nextInt(slots.length);
        long row = slots[j];
        slots[j] = cursor % sourceSize;
        cursor++;
        return row;
    }

    /** A copy of the state, for checkpoints. */
    public State state() {
        return new State(sourceSize, cursor, slots.clone());
    }

    /**
     * Saved state of a {@link ShuffleBuffer}.
     *
     * @param sourceSize rows per pass
     * @param cursor number of rows streamed into the buffer so far
     * @param slots the row index held by each slot
     */
    public record State(long sourceSize, long cursor, long[] slots) {

        /** Validates the fields; messages name the bad value. */
        public State {
            if (sourceSize < 1) {
                throw new IllegalArgumentException("sourceSize must be >= 1, got " + sourceSize);
            }
            if (cursor < 0) {
                throw new IllegalArgumentException("cursor must be >= 0, got " + cursor);
            }
            if (slots.length < 1 || slots.length > sourceSize) {
                throw new IllegalArgumentException(
                        "slots length must be in [1, " + sourceSize + "], got " + slots.length);
            }
            slots = slots.clone();
        }

        /** A copy of the slots, so the saved state cannot be changed through it. */
        @Override
        public long[] slots() {
            return slots.clone();
        }
    }
}
