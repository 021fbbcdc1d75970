package io.github.clip2latent.train.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.clip2latent.files.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code dataset.json}: how a dataset folder was made, so that a re-run or a second machine can
 * check it adds compatible shards, and training knows the widths and shard layout.
 *
 * @param bundleId the bundle whose generator and image encoder made the pairs
 * @param latentDim width of w
 * @param embeddingDim width of e
 * @param spec the generation spec
 */
public record DatasetManifest(String bundleId, int latentDim, int embeddingDim, DatasetSpec spec) {

    /** The file name inside a dataset folder. */
    public static final String FILE_NAME = "dataset.json";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The w file of shard {@code k}. */
    public static String latentFile(int k) {
        return String.format(Locale.ROOT, "shard-%05d.w.npy", k);
    }

    /** The e file of shard {@code k}. */
    public static String embeddingFile(int k) {
        return String.format(Locale.ROOT, "shard-%05d.e.npy", k);
    }

    /** Writes {@code dataset.json} into {@code dir} atomically. */
    public void write(Path dir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "clip2latent-dataset");
        root.put("formatVersion", 1);
        root.put("bundleId", bundleId);
        root.put("latentDim", latentDim);
        root.put("embeddingDim", embeddingDim);
        root.put("samples", spec.samples());
        root.put("shardSize", spec.shardSize());
        root.put("shards", spec.shardCount());
        root.put("seed", spec.seed());
        root.put("statsSamples", spec.statsSamples());
        root.put("preResize", spec.preResize());
        root.put("batchSize", spec.batchSize());
        AtomicFiles.writeString(dir.resolve(FILE_NAME), JSON.writeValueAsString(root) + "\n");
    }

    /**
     * Reads {@code dataset.json} from {@code dir}.
     *
     * @throws IOException naming the file and the missing or bad key
     */
    public static DatasetManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IOException(
                    "no dataset at "
                            + dir
                            + ": "
                            + FILE_NAME
                            + " is missing (run 'generate' first)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        try {
            return new DatasetManifest(
                    text(root, "bundleId", file),
                    integer(root, "latentDim", file),
                    integer(root, "embeddingDim", file),
                    new DatasetSpec(
                            number(root, "samples", file),
                            integer(root, "shardSize", file),
                            number(root, "seed", file),
                            integer(root, "statsSamples", file),
                            integer(root, "preResize", file),
                            integer(root, "batchSize", file)));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode root, String key, Path file) throws IOException {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            throw new IOException(file + ": missing key '" + key + "'");
        }
        return node;
    }

    private static int integer(JsonNode root, String key, Path file) throws IOException {
        JsonNode node = required(root, key, file);
        if (!node.canConvertToInt()) {
            throw new IOException(file + ": '" + key + "' must be an integer, found " + node);
        }
        return node.intValue();
    }

    private static long number(JsonNode root, String key, Path file) throws IOException {
        JsonNode node = required(root, key, file);
        if (!node.isIntegralNumber()) {
            throw new IOException(file + ": '" + key + "' must be an integer, found " + node);
        }
        return node.longValue();
    }

    private static String text(JsonNode root, String key, Path file) throws IOException {
        return required(root, key, file).asText();
    }

    /** Why {@code other} cannot add shards to this dataset, or null if it can. */
    public String incompatibility(DatasetManifest other) {
        if (!bundleId.equals(other.bundleId)) {
            return "bundle '" + bundleId + "' vs '" + other.bundleId + "'";
        }
        if (latentDim != other.latentDim || embeddingDim != other.embeddingDim) {
            return "widths ("
                    + latentDim
                    + ", "
                    + embeddingDim
                    + ") vs ("
                    + other.latentDim
                    + ", "
                    + other.embeddingDim
                    + ")";
        }
        DatasetSpec a = spec;
        DatasetSpec b = other.spec;
        if (a.samples() != b.samples()
                || a.shardSize() != b.shardSize()
                || a.seed() != b.seed()
                || a.preResize() != b.preResize()) {
            return "spec (samples "
                    + a.samples()
                    + ", shardSize "
                    + a.shardSize()
                    + ", seed "
                    + a.seed()
                    + ", preResize "
                    + a.preResize()
                    + ") vs (samples "
                    + b.samples()
                    + ", shardSize "
                    + b.shardSize()
                    + ", seed "
                    + b.seed()
                    + ", preResize "
                    + b.preResize()
                    + ")";
        }
        return null;
    }
}
