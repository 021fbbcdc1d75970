/**
 * Dataset generation on Apache Spark: one task per shard through {@code clip2latent-train}'s
 * generator, shards written atomically to any Hadoop file system, the same {@code dataset.json}
 * and latent stats as {@code train generate}.
 */
package io.github.clip2latent.spark;
