package io.github.clip2latent.train.dataset;

import static com.google.common.base.Preconditions.checkElementIndex;

import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A generated dataset read by row. Shards are loaded on first use and kept (a shard of 10,000 pairs
 * of width 512 is 40 MB); every shard must be complete.
 */
public final class ShardedDataset {

    private final Path dir;
    private final DatasetManifest manifest;
    private final float[][] latents;
    private final float[][] embeddings;

    /** Without the completeness check: rows of missing shards fail when read. */
    ShardedDataset(Path dir, DatasetManifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
        int shards = manifest.spec().shardCount();
        this.latents = new float[shards][];
        this.embeddings = new float[shards][];
    }

    /**
     * Opens the dataset in {@code dir}.
     *
     * @throws IOException if the manifest is missing or bad, or a shard is incomplete (naming it)
     */
    public static ShardedDataset open(Path dir) throws IOException {
        DatasetManifest manifest = DatasetManifest.read(dir);
        for (int k = 0; k < manifest.spec().shardCount(); k++) {
            if (!DatasetGenerator.isComplete(dir, k)) {
                throw new IOException("dataset at " + dir + " is incomplete: shard " + k + " ("
                        + DatasetManifest.latentFile(k) + ", " + DatasetManifest.embeddingFile(k)
                        + ") is missing; run 'generate' again to finish it");
            }
        }
        return new ShardedDataset(dir, manifest);
    }

    /** The manifest. */
    public DatasetManifest manifest() {
        return manifest;
    }

    /** Number of pairs. */
    public long size() {
        return manifest.spec().samples();
    }

    /** Width of w. */
    public int latentDim() {
        return manifest.latentDim();
    }

    /** Width of e. */
    public int conditionDim() {
        return manifest.embeddingDim();
    }

    /** Copies row {@code row}'s w and e into the given arrays. */
    public synchronized void read(long row, float[] latent, int latentOffset, float[] condition, int conditionOffset) {
        checkElementIndex(Math.toIntExact(row), Math.toIntExact(size()), "row");
        int shardSize = manifest.spec().shardSize();
        int k = (int) (row / shardSize);
        int r = (int) (row % shardSize);
        load(k);
        int d = latentDim();
        int c = conditionDim();
        System.arraycopy(latents[k], r * d, latent, latentOffset, d);
        System.arraycopy(embeddings[k], r * c, condition, conditionOffset, c);
    }

    private void load(int k) {
        if (latents[k] != null) {
            return;
        }
        int rows = manifest.spec().rowsInShard(k);
        try {
            latents[k] = check(Npy.read(dir.resolve(DatasetManifest.latentFile(k))), rows, latentDim(), k);
            embeddings[k] = check(Npy.read(dir.resolve(DatasetManifest.embeddingFile(k))), rows, conditionDim(), k);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read shard " + k + " of the dataset at " + dir, e);
        }
    }

    private float[] check(NpyArray array, int rows, int width, int k) throws IOException {
        if (array.rank() != 2 || array.dim(0) != rows || array.dim(1) != width) {
            throw new IOException("shard " + k + " of " + dir + " has shape " + array.shapeString() + ", expected ("
                    + rows + ", " + width + ")");
        }
        return array.data();
    }
}
