package io.github.clip2latent.train.dataset;

import static com.google.common.base.Preconditions.checkElementIndex;

import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;
import io.github.clip2latent.train.loop.SampleSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A generated dataset read by row, the {@link SampleSource} of a training run. Shards are loaded on
 * first use and kept in a least-recently-used cache of a bounded number of shards (a shard of
 * 10,000 pairs of width 512 is 40 MB with its embeddings): the trainer's shuffle buffer reads rows
 * almost in order, so a small cache streams a dataset of any size and only the rare row that
 * lingers in the buffer reloads an old shard. Every shard must be complete. Thread-safe (reads are
 * synchronized).
 */
public final class ShardedDataset implements SampleSource {

    /**
     * Shards kept in memory by {@link #open(Path)}: 320 MB at the paper's width and 10,000-row
     * shards.
     */
    public static final int DEFAULT_CACHED_SHARDS = 8;

    private final Path dir;
    private final DatasetManifest manifest;
    private final Map<Integer, float[][]> cache;
    private long shardLoads;

    /** Without the completeness check: rows of missing shards fail when read. */
    ShardedDataset(Path dir, DatasetManifest manifest) {
        this(dir, manifest, DEFAULT_CACHED_SHARDS);
    }

    private ShardedDataset(Path dir, DatasetManifest manifest, int cachedShards) {
        if (cachedShards < 1) {
            throw new IllegalArgumentException("cachedShards must be >= 1, got " + cachedShards);
        }
        this.dir = dir;
        this.manifest = manifest;
        // Access-ordered: iteration starts at the least recently used shard, which is evicted
        // first.
        this.cache =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Integer, float[][]> eldest) {
                        return size() > cachedShards;
                    }
                };
    }

    /**
     * Opens the dataset in {@code dir}, caching up to {@link #DEFAULT_CACHED_SHARDS} shards.
     *
     * @throws IOException if the manifest is missing or bad, or a shard is incomplete (naming it)
     */
    public static ShardedDataset open(Path dir) throws IOException {
        return open(dir, DEFAULT_CACHED_SHARDS);
    }

    /**
     * Opens the dataset in {@code dir}.
     *
     * @param cachedShards shards kept in memory at once, {@code >= 1}
     * @throws IOException if the manifest is missing or bad, or a shard is incomplete (naming it)
     */
    public static ShardedDataset open(Path dir, int cachedShards) throws IOException {
        if (cachedShards < 1) {
            throw new IllegalArgumentException("cachedShards must be >= 1, got " + cachedShards);
        }
        DatasetManifest manifest = DatasetManifest.read(dir);
        for (int k = 0; k < manifest.spec().shardCount(); k++) {
            if (!DatasetGenerator.isComplete(dir, k)) {
                throw new IOException(
                        "dataset at "
                                + dir
                                + " is incomplete: shard "
                                + k
                                + " ("
                                + DatasetManifest.latentFile(k)
                                + ", "
                                + DatasetManifest.embeddingFile(k)
                                + ") is missing; run 'generate' again to finish it");
            }
        }
        return new ShardedDataset(dir, manifest, cachedShards);
    }

    /** The dataset folder. */
    public Path directory() {
        return dir;
    }

    /** How many times a shard was read from disk so far (a measure of cache misses). */
    public synchronized long shardLoads() {
        return shardLoads;
    }

    /** The manifest. */
    public DatasetManifest manifest() {
        return manifest;
    }

    /** Number of pairs. */
    @Override
    public long size() {
        return manifest.spec().samples();
    }

    /** Width of w. */
    @Override
    public int latentDim() {
        return manifest.latentDim();
    }

    /** Width of e. */
    @Override
    public int conditionDim() {
        return manifest.embeddingDim();
    }

    /** Copies row {@code row}'s w and e into the given arrays. */
    @Override
    public synchronized void read(
            long row, float[] latent, int latentOffset, float[] condition, int conditionOffset) {
        checkElementIndex(Math.toIntExact(row), Math.toIntExact(size()), "row");
        int shardSize = manifest.spec().shardSize();
        int k = (int) (row / shardSize);
        int r = (int) (row % shardSize);
        float[][] shard = load(k);
        int d = latentDim();
        int c = conditionDim();
        System.arraycopy(shard[0], r * d, latent, latentOffset, d);
        System.arraycopy(shard[1], r * c, condition, conditionOffset, c);
    }

    /** Shard k as {w, e}, from the cache or from disk. */
    private float[][] load(int k) {
        float[][] cached = cache.get(k);
        if (cached != null) {
            return cached;
        }
        int rows = manifest.spec().rowsInShard(k);
        try {
            float[] w =
                    check(
                            Npy.read(dir.resolve(DatasetManifest.latentFile(k))),
                            rows,
                            latentDim(),
                            k);
            float[] e =
                    check(
                            Npy.read(dir.resolve(DatasetManifest.embeddingFile(k))),
                            rows,
                            conditionDim(),
                            k);
            float[][] shard = {w, e};
            cache.put(k, shard);
            shardLoads++;
            return shard;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(
                    "cannot read shard "
                            + k
                            + " of the dataset at "
                            + dir
                            + " ("
                            + DatasetManifest.latentFile(k)
                            + ", "
                            + DatasetManifest.embeddingFile(k)
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    private float[] check(NpyArray array, int rows, int width, int k) throws IOException {
        if (array.rank() != 2 || array.dim(0) != rows || array.dim(1) != width) {
            throw new IOException(
                    "shard "
                            + k
                            + " of "
                            + dir
                            + " has shape "
                            + array.shapeString()
                            + ", expected ("
                            + rows
                            + ", "
                            + width
                            + ")");
        }
        return array.data();
    }
}
