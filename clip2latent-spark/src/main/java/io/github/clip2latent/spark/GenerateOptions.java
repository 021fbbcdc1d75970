package io.github.clip2latent.spark;

import io.github.clip2latent.train.dataset.DatasetSpec;

import java.io.Serializable;

/**
 * The options of a Spark generation run: {@code train generate}'s options with the same names and
 * defaults (without {@code --shard}: Spark runs every shard), plus where the bundle comes from and
 * ONNX Runtime's threads per task. Serializable, because every task carries it.
 *
 * @param bundle the bundle folder on the driver, or with {@code sharedBundle} a folder every
 *     executor can read at this path
 * @param out the dataset folder, a Hadoop file system URI ({@code file:/...}, {@code hdfs://...},
 *     {@code s3a://...}) or a path on the default file system
 * @param samples total (w, e) pairs
 * @param shardSize pairs per shard (and per Spark task)
 * @param seed the dataset seed
 * @param statsSamples leading rows of the latent mean/std
 * @param preResize area-resize images to this size before CLIP, or 0
 * @param batch rows per generator / encoder call
 * @param threads ONNX Runtime intra-op threads per task, 0 for its default (one per core)
 * @param sharedBundle whether {@code bundle} is already readable on every executor (nothing is
 *     shipped)
 */
public record GenerateOptions(
        String bundle,
        String out,
        long samples,
        int shardSize,
        long seed,
        int statsSamples,
        int preResize,
        int batch,
        int threads,
        boolean sharedBundle)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Validates. */
    public GenerateOptions {
        if (bundle == null || bundle.isBlank()) {
            throw new IllegalArgumentException("--bundle is required");
        }
        if (out == null || out.isBlank()) {
            throw new IllegalArgumentException("--out is required");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        }
        // DatasetSpec checks the rest with its own messages.
        new DatasetSpec(samples, shardSize, seed, statsSamples, preResize, batch);
    }

    /** The generation spec, as {@code train generate} builds it from the same options. */
    public DatasetSpec spec() {
        return new DatasetSpec(samples, shardSize, seed, statsSamples, preResize, batch);
    }

    /**
     * Parses {@code --name value} and {@code --name=value} arguments (see {@code --help}).
     *
     * @throws IllegalArgumentException naming the option and the bad value
     */
    public static GenerateOptions parse(String... args) {
        return GenerateCommandLine.parse(args);
    }
}
