package io.github.clip2latent.spark;

import java.io.Serializable;

/**
 * What one task did for one shard.
 *
 * @param shard the shard index
 * @param rows pairs in the shard
 * @param generated whether this task generated it (false: it was already complete and skipped)
 * @param attempt Spark's attempt number of the task that reported (0 for the first attempt)
 * @param seconds wall time of the task, generation and writing included
 */
public record ShardReport(int shard, int rows, boolean generated, int attempt, double seconds)
        implements Serializable {

    private static final long serialVersionUID = 1L;
}
