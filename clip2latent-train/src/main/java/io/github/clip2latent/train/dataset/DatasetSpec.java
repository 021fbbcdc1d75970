package io.github.clip2latent.train.dataset;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What dataset to generate.
 *
 * @param samples total (w, e) pairs
 * @param shardSize pairs per shard file
 * @param seed the dataset seed; shard k draws its z from a stream derived from (seed, k)
 * @param statsSamples rows used for the latent stats (the reference uses the first 10,000)
 * @param preResize area-resize generator output to this size before CLIP's own resize (the
 *     reference resized 1024 px images to 256), or 0 for none
 * @param batchSize rows per generator / encoder call
 */
public record DatasetSpec(
        long samples, int shardSize, long seed, int statsSamples, int preResize, int batchSize) {

    /** The reference's stats sample count. */
    public static final int REFERENCE_STATS_SAMPLES = 10_000;

    /** Validates. */
    public DatasetSpec {
        checkArgument(samples >= 2, "samples must be >= 2, got %s", samples);
        checkArgument(shardSize >= 1, "shardSize must be >= 1, got %s", shardSize);
        checkArgument(statsSamples >= 2, "statsSamples must be >= 2, got %s", statsSamples);
        checkArgument(preResize >= 0, "preResize must be >= 0, got %s", preResize);
        checkArgument(batchSize >= 1, "batchSize must be >= 1, got %s", batchSize);
    }

    /**
     * {@code samples} pairs in shards of {@code shardSize}, stats from the first 10,000, batches of
     * 64.
     */
    public static DatasetSpec of(long samples, int shardSize, long seed) {
        return new DatasetSpec(samples, shardSize, seed, REFERENCE_STATS_SAMPLES, 0, 64);
    }

    /** Number of shards. */
    public int shardCount() {
        return Math.toIntExact((samples + shardSize - 1) / shardSize);
    }

    /** Rows in shard {@code k}: {@code shardSize}, fewer in the last one. */
    public int rowsInShard(int k) {
        return (int) Math.min(shardSize, samples - (long) k * shardSize);
    }

    /** Rows the stats are computed from: {@code min(statsSamples, samples)}. */
    public int statsRows() {
        return (int) Math.min(statsSamples, samples);
    }

    /** A copy with another stats sample count. */
    public DatasetSpec withStatsSamples(int value) {
        return new DatasetSpec(samples, shardSize, seed, value, preResize, batchSize);
    }

    /** A copy with a pre-resize. */
    public DatasetSpec withPreResize(int value) {
        return new DatasetSpec(samples, shardSize, seed, statsSamples, value, batchSize);
    }

    /** A copy with another batch size. */
    public DatasetSpec withBatchSize(int value) {
        return new DatasetSpec(samples, shardSize, seed, statsSamples, preResize, value);
    }
}
