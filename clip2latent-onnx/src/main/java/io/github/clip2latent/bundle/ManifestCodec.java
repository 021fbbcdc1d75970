package io.github.clip2latent.bundle;

import io.github.clip2latent.tensor.ElementType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.clip2latent.schedule.BetaSchedule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@code clip2latent.json}. Reading reports the first problem with the file name
 * and the JSON path of the key ({@code stages.prior.inputs[1].name}), what was expected and what
 * was found.
 */
public final class ManifestCodec {

    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    // Text after the top-level object is an error, not ignored.
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ManifestCodec() {}

    /** Reads and validates the manifest at {@code file}. */
    public static BundleManifest read(Path file) throws BundleException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new BundleException("bundle manifest " + file + " does not exist", e);
        } catch (JsonProcessingException e) {
            throw new BundleException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new BundleException(
                    "cannot read bundle manifest " + file + ": " + e.getMessage(), e);
        }
        Reader r = new Reader(file);
        if (root == null || !root.isObject()) {
            throw new BundleException(file + ": expected a JSON object at the top level");
        }
        int version = r.integer(root, "formatVersion");
        if (version != BundleManifest.FORMAT_VERSION) {
            throw new BundleException(
                    file
                            + ": unsupported formatVersion "
                            + version
                            + "; this library reads "
                            + BundleManifest.FORMAT_VERSION);
        }
        JsonNode latent = r.object(root, "latent");
        JsonNode schedule = r.object(root, "schedule");
        String objective = r.text(schedule, "schedule", "objective");
        if (!BundleManifest.OBJECTIVE.equals(objective)) {
            throw new BundleException(
                    file
                            + ": schedule.objective is '"
                            + objective
                            + "'; only '"
                            + BundleManifest.OBJECTIVE
                            + "' (the network predicts x0) is supported");
        }
        String scheduleName = r.text(schedule, "schedule", "betaSchedule");
        BetaSchedule betaSchedule;
        try {
            betaSchedule = BetaSchedule.fromManifestName(scheduleName);
        } catch (IllegalArgumentException e) {
            throw new BundleException(file + ": schedule.betaSchedule: " + e.getMessage(), e);
        }
        JsonNode pre = r.object(root, "preprocessing");
        String modeName = r.text(pre, "preprocessing", "normalization");
        NormalizationMode mode = NormalizationMode.fromManifestName(modeName);
        if (mode == null) {
            throw new BundleException(
                    file
                            + ": preprocessing.normalization is '"
                            + modeName
                            + "'; expected \"single\" or \"reference-double\"");
        }
        JsonNode tok = r.object(root, "tokenizer");
        JsonNode stagesNode = r.object(root, "stages");
        Map<Stage, StageSpec> stages = new EnumMap<>(Stage.class);
        for (Stage stage : Stage.values()) {
            String path = "stages." + stage.key();
            if (stage.optional() && !stagesNode.has(stage.key())) {
                continue;
            }
            JsonNode node = r.required(stagesNode, stage.key(), path);
            stages.put(
                    stage,
                    new StageSpec(
                            r.text(node, path, "file"),
                            r.tensors(node, path, "inputs"),
                            r.tensors(node, path, "outputs")));
        }
        try {
            return new BundleManifest(
                    version,
                    r.text(root, "", "id"),
                    root.path("description").asText(""),
                    r.integer(latent, "latent", "dim"),
                    r.integer(latent, "latent", "numWs"),
                    r.integer(latent, "latent", "zDim"),
                    r.integer(root, "embeddingDim"),
                    r.integer(root, "imageSize"),
                    r.integer(schedule, "schedule", "timesteps"),
                    betaSchedule,
                    r.text(latent, "latent", "mean"),
                    r.text(latent, "latent", "std"),
                    latent.hasNonNull("wAvg") ? r.text(latent, "latent", "wAvg") : null,
                    new ImagePreprocessing(
                            r.integer(pre, "preprocessing", "inputSize"),
                            r.floats(pre, "preprocessing", "mean"),
                            r.floats(pre, "preprocessing", "std"),
                            mode),
                    new BundleManifest.TokenizerFiles(
                            tok.hasNonNull("vocab") ? r.text(tok, "tokenizer", "vocab") : null,
                            tok.hasNonNull("merges") ? r.text(tok, "tokenizer", "merges") : null,
                            tok.hasNonNull("tokenizerJson")
                                    ? r.text(tok, "tokenizer", "tokenizerJson")
                                    : null,
                            r.integer(tok, "tokenizer", "contextLength"),
                            tok.hasNonNull("bpeVocabulary")
                                    ? r.text(tok, "tokenizer", "bpeVocabulary")
                                    : null,
                            tok.hasNonNull("bpeVocabulary")
                                    ? (tok.hasNonNull("bpeMergeCount")
                                            ? r.integer(tok, "tokenizer", "bpeMergeCount")
                                            : BundleManifest.TokenizerFiles.OPENAI_MERGE_COUNT)
                                    : 0,
                            knownTokenIds(tok)),
                    textCalibration(root, r),
                    stages,
                    r.strings(root, "directions"),
                    r.strings(root, "provenance"),
                    r.strings(root, "checksums"));
        } catch (IllegalArgumentException e) {
            throw new BundleException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the manifest to {@code file} atomically. */
    public static void write(BundleManifest manifest, Path file) throws IOException {
        io.github.clip2latent.files.AtomicFiles.writeString(file, toJson(manifest));
    }

    /** The manifest as JSON text. */
    public static String toJson(BundleManifest m) {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", m.formatVersion());
        root.put("id", m.id());
        root.put("description", m.description());
        ObjectNode latent = root.putObject("latent");
        latent.put("dim", m.latentDim());
        latent.put("numWs", m.numWs());
        latent.put("zDim", m.zDim());
        latent.put("mean", m.latentMean());
        latent.put("std", m.latentStd());
        if (m.wAvg() != null) {
            latent.put("wAvg", m.wAvg());
        }
        root.put("embeddingDim", m.embeddingDim());
        root.put("imageSize", m.imageSize());
        ObjectNode schedule = root.putObject("schedule");
        schedule.put("timesteps", m.timesteps());
        schedule.put("betaSchedule", m.betaSchedule().manifestName());
        schedule.put("objective", BundleManifest.OBJECTIVE);
        ObjectNode pre = root.putObject("preprocessing");
        pre.put("inputSize", m.preprocessing().inputSize());
        ArrayNode mean = pre.putArray("mean");
        for (float v : m.preprocessing().mean()) {
            mean.add(v);
        }
        ArrayNode std = pre.putArray("std");
        for (float v : m.preprocessing().std()) {
            std.add(v);
        }
        pre.put("normalization", m.preprocessing().mode().manifestName());
        ObjectNode tok = root.putObject("tokenizer");
        if (m.tokenizer().vocab() != null) {
            tok.put("vocab", m.tokenizer().vocab());
            tok.put("merges", m.tokenizer().merges());
        }
        if (m.tokenizer().tokenizerJson() != null) {
            tok.put("tokenizerJson", m.tokenizer().tokenizerJson());
        }
        if (m.tokenizer().bpeVocabulary() != null) {
            tok.put("bpeVocabulary", m.tokenizer().bpeVocabulary());
            tok.put("bpeMergeCount", m.tokenizer().bpeMergeCount());
        }
        tok.put("contextLength", m.tokenizer().contextLength());
        if (!m.tokenizer().knownTokenIds().isEmpty()) {
            ArrayNode known = tok.putArray("knownTokenIds");
            m.tokenizer().knownTokenIds().forEach(known::add);
        }
        if (m.textCalibration() != null) {
            ObjectNode calibration = root.putObject("textCalibration");
            calibration.put("scale", m.textCalibration().scale());
            ArrayNode offset = calibration.putArray("offset");
            for (float v : m.textCalibration().offset()) {
                offset.add(v);
            }
        }
        ObjectNode stages = root.putObject("stages");
        for (Stage stage : m.stages().keySet()) {
            StageSpec spec = m.stage(stage);
            ObjectNode node = stages.putObject(stage.key());
            node.put("file", spec.file());
            writeTensors(node.putArray("inputs"), spec.inputs());
            writeTensors(node.putArray("outputs"), spec.outputs());
        }
        ObjectNode directions = root.putObject("directions");
        m.directions().forEach(directions::put);
        ObjectNode provenance = root.putObject("provenance");
        m.provenance().forEach(provenance::put);
        if (!m.checksums().isEmpty()) {
            ObjectNode checksums = root.putObject("checksums");
            m.checksums().forEach(checksums::put);
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e);
        }
    }

    private static void writeTensors(ArrayNode array, List<TensorSpec> tensors) {
        for (TensorSpec t : tensors) {
            ObjectNode node = array.addObject();
            node.put("name", t.name());
            node.put("type", t.type().manifestName());
            ArrayNode shape = node.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
        }
    }

    /** Typed access with error messages that carry the file and the JSON path. */
    private static final class Reader {
        private final Path file;

        Reader(Path file) {
            this.file = file;
        }

        JsonNode required(JsonNode parent, String key, String path) throws BundleException {
            JsonNode node = parent.get(key);
            if (node == null || node.isNull()) {
                throw new BundleException(file + ": missing key '" + path + "'");
            }
            return node;
        }

        JsonNode object(JsonNode parent, String key) throws BundleException {
            JsonNode node = required(parent, key, key);
            if (!node.isObject()) {
                throw new BundleException(
                        file + ": '" + key + "' must be an object, found " + node.getNodeType());
            }
            return node;
        }

        int integer(JsonNode parent, String key) throws BundleException {
            return integer(parent, "", key);
        }

        int integer(JsonNode parent, String prefix, String key) throws BundleException {
            String path = join(prefix, key);
            JsonNode node = required(parent, key, path);
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw new BundleException(
                        file + ": '" + path + "' must be an integer, found " + node);
            }
            return node.intValue();
        }

        String text(JsonNode parent, String prefix, String key) throws BundleException {
            String path = join(prefix, key);
            JsonNode node = required(parent, key, path);
            if (!node.isTextual() || node.asText().isEmpty()) {
                throw new BundleException(
                        file + ": '" + path + "' must be a non-empty string, found " + node);
            }
            return node.asText();
        }

        float[] floats(JsonNode parent, String prefix, String key) throws BundleException {
            String path = join(prefix, key);
            JsonNode node = required(parent, key, path);
            if (!node.isArray()) {
                throw new BundleException(
                        file + ": '" + path + "' must be an array of numbers, found " + node);
            }
            float[] values = new float[node.size()];
            for (int i = 0; i < values.length; i++) {
                if (!node.get(i).isNumber()) {
                    throw new BundleException(
                            file
                                    + ": '"
                                    + path
                                    + "["
                                    + i
                                    + "]' must be a number, found "
                                    + node.get(i));
                }
                values[i] = node.get(i).floatValue();
                if (!Float.isFinite(values[i])) {
                    throw new BundleException(
                            file
                                    + ": '"
                                    + path
                                    + "["
                                    + i
                                    + "]' is "
                                    + node.get(i)
                                    + ", not a finite float32 value");
                }
            }
            return values;
        }

        Map<String, String> strings(JsonNode parent, String key) throws BundleException {
            Map<String, String> map = new LinkedHashMap<>();
            JsonNode node = parent.get(key);
            if (node == null || node.isNull()) {
                return map;
            }
            if (!node.isObject()) {
                throw new BundleException(
                        file + ": '" + key + "' must be an object of strings, found " + node);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new BundleException(
                            file
                                    + ": '"
                                    + key
                                    + "."
                                    + e.getKey()
                                    + "' must be a string, found "
                                    + e.getValue());
                }
                map.put(e.getKey(), e.getValue().asText());
            }
            return map;
        }

        List<TensorSpec> tensors(JsonNode parent, String prefix, String key)
                throws BundleException {
            String path = join(prefix, key);
            JsonNode node = required(parent, key, path);
            if (!node.isArray() || node.isEmpty()) {
                throw new BundleException(
                        file + ": '" + path + "' must be a non-empty array, found " + node);
            }
            List<TensorSpec> tensors = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                String at = path + "[" + i + "]";
                JsonNode t = node.get(i);
                String name = text(t, at, "name");
                String typeName = text(t, at, "type");
                ElementType type =
                        ElementType.fromManifestName(typeName)
                                .filter(e -> e == ElementType.FLOAT || e == ElementType.INT64)
                                .orElse(null);
                if (type == null) {
                    throw new BundleException(
                            file
                                    + ": '"
                                    + at
                                    + ".type' is '"
                                    + typeName
                                    + "'; expected \"float32\" or \"int64\"");
                }
                JsonNode shape = required(t, "shape", at + ".shape");
                if (!shape.isArray()) {
                    throw new BundleException(
                            file + ": '" + at + ".shape' must be an array, found " + shape);
                }
                long[] dims = new long[shape.size()];
                for (int d = 0; d < dims.length; d++) {
                    JsonNode dim = shape.get(d);
                    if (!dim.isIntegralNumber() || (dim.longValue() != -1 && dim.longValue() < 1)) {
                        throw new BundleException(
                                file
                                        + ": '"
                                        + at
                                        + ".shape["
                                        + d
                                        + "]' must be -1 (dynamic) or a positive integer, found "
                                        + dim);
                    }
                    dims[d] = dim.longValue();
                }
                tensors.add(new TensorSpec(name, type, dims));
            }
            return tensors;
        }

        private static String join(String prefix, String key) {
            return prefix.isEmpty() ? key : prefix + "." + key;
        }
    }

    /** {@code textCalibration}: optional {@code {"scale": s, "offset": [C floats]}}. */
    private static TextCalibration textCalibration(JsonNode root, Reader r)
            throws BundleException {
        if (!root.hasNonNull("textCalibration")) {
            return null;
        }
        JsonNode node = r.object(root, "textCalibration");
        JsonNode scale = r.required(node, "scale", "textCalibration");
        if (!scale.isNumber()) {
            throw new IllegalArgumentException(
                    "textCalibration.scale is '" + scale + "', expected a number");
        }
        return new TextCalibration(scale.floatValue(), r.floats(node, "textCalibration", "offset"));
    }

    /** {@code tokenizer.knownTokenIds}: an optional array of ascending token ids. */
    private static java.util.List<Integer> knownTokenIds(JsonNode tok) {
        JsonNode node = tok.get("knownTokenIds");
        if (node == null || node.isNull()) {
            return java.util.List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("tokenizer.knownTokenIds must be an array of token ids");
        }
        java.util.List<Integer> ids = new java.util.ArrayList<>();
        for (JsonNode id : node) {
            if (!id.canConvertToInt()) {
                throw new IllegalArgumentException(
                        "tokenizer.knownTokenIds holds '" + id + "', expected an integer");
            }
            ids.add(id.intValue());
        }
        return ids;
    }
}
