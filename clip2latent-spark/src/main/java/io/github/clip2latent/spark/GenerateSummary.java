package io.github.clip2latent.spark;

import io.github.clip2latent.latent.LatentStats;

import java.net.URI;
import java.util.List;

/**
 * The outcome of a Spark generation run.
 *
 * @param out the dataset folder
 * @param reports one report per shard, in shard order (from the attempt that succeeded)
 * @param stats the latent stats written next to the shards
 * @param seconds wall time of the Spark job (shards only, without shipping the bundle or the stats)
 */
public record GenerateSummary(
        URI out, List<ShardReport> reports, LatentStats stats, double seconds) {

    /** Validates and copies. */
    public GenerateSummary {
        reports = List.copyOf(reports);
    }

    /** Shards this run generated. */
    public int generatedShards() {
        return (int) reports.stream().filter(ShardReport::generated).count();
    }

    /** Pairs this run generated. */
    public long generatedPairs() {
        return reports.stream().filter(ShardReport::generated).mapToLong(ShardReport::rows).sum();
    }

    /** Generated pairs per second of job wall time. */
    public double pairsPerSecond() {
        return generatedPairs() / Math.max(seconds, 1e-9);
    }
}
