package io.github.clip2latent.bundle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.github.clip2latent.files.AtomicFiles;
import io.github.clip2latent.latent.EditDirection;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;
import io.github.clip2latent.schedule.BetaSchedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a bundle from code (tests, the train module, the shapes world). Everything is written into
 * a hidden staging folder next to the target, opened and validated as a {@link ModelBundle}, then
 * renamed to the target: a failed or killed write never leaves a partial bundle under the final
 * name.
 *
 * <p>The manifest records the SHA-256 of every file, which {@link ModelBundle#open(Path)} checks.
 *
 * <p>Required: {@link #id}, {@link #dimensions}, a graph for every {@link Stage}, the tokenizer
 * files and the latent stats. Each setter checks its value; {@link #write()} checks completeness.
 */
public final class BundleWriter {

    private final Path target;
    private String id;
    private String description = "";
    private int latentDim;
    private int numWs;
    private int zDim;
    private int embeddingDim;
    private int imageSize;
    private int timesteps = 1000;
    private BetaSchedule betaSchedule = BetaSchedule.COSINE;
    private ImagePreprocessing preprocessing;
    private LatentStats latentStats;
    private float[] wAvg;
    private TextCalibration textCalibration;
    private Map<String, Integer> synthesisNoise = Map.of();
    private int previewWsRows;
    private int previewSize;
    private Map<String, Integer> previewNoise = Map.of();
    private final Map<Stage, byte[]> graphs = new EnumMap<>(Stage.class);
    private final Map<Stage, Path> graphFiles = new EnumMap<>(Stage.class);

    /** The name OpenAI gives its vocabulary file; bundles keep it. */
    private static final String OPENAI_BPE_FILE = "bpe_simple_vocab_16e6.txt.gz";

    private final Map<String, byte[]> tokenizerFiles = new LinkedHashMap<>();
    private final Map<String, EditDirection> directions = new LinkedHashMap<>();
    private final Map<String, String> provenance = new LinkedHashMap<>();
    private int contextLength = 77;

    /** Token ids the text encoder was trained on; empty: all. */
    private List<Integer> knownTokenIds = List.of();

    /** Merge count of an OpenAI BPE vocabulary file; 0 for vocab.json + merges.txt. */
    private int bpeMergeCount;

    private BundleWriter(Path target) {
        this.target = target.toAbsolutePath().normalize();
    }

    /**
     * A writer for a bundle at {@code target}, which must not exist yet (or be an empty folder).
     */
    public static BundleWriter to(Path target) {
        return new BundleWriter(checkNotNull(target, "target"));
    }

    /**
     * A writer for {@code target} that starts from everything in {@code source} (graphs, tokenizer,
     * dimensions, schedule, preprocessing, stats, w_avg, directions, provenance): override what
     * differs, typically the prior graph, the latent stats and the id.
     */
    public static BundleWriter basedOn(ModelBundle source, Path target) throws IOException {
        BundleManifest m = source.manifest();
        BundleWriter writer =
                to(target)
                        .id(m.id())
                        .description(m.description())
                        .dimensions(
                                m.latentDim(), m.numWs(), m.zDim(), m.embeddingDim(), m.imageSize())
                        .schedule(m.timesteps(), m.betaSchedule())
                        .preprocessing(m.preprocessing())
                        .latentStats(source.latentStats());
        for (Stage stage : m.stages().keySet()) {
            writer.graph(stage, Files.readAllBytes(source.stageFile(stage)));
        }
        writer.synthesisNoise(StageContract.declaredNoise(m.stage(Stage.SYNTHESIS)));
        if (m.hasStage(Stage.SYNTHESIS_PREVIEW)) {
            StageSpec preview = m.stage(Stage.SYNTHESIS_PREVIEW);
            writer.synthesisPreview(
                    (int) preview.inputs().get(0).dim(1),
                    (int) preview.outputs().get(0).dim(2),
                    StageContract.declaredNoise(preview));
        }
        BundleManifest.TokenizerFiles tok = m.tokenizer();
        if (tok.bpeVocabulary() != null) {
            writer.openAiTokenizer(
                    source.resolve(tok.bpeVocabulary()), tok.bpeMergeCount(), tok.contextLength());
        } else if (tok.vocab() == null) {
            throw new BundleException(
                    "bundle "
                            + source.directory()
                            + " uses tokenizer.json; BundleWriter writes vocab.json + merges.txt or"
                            + " bpe_simple_vocab_16e6.txt.gz bundles only");
        } else {
            writer.tokenizer(
                    source.resolve(tok.vocab()), source.resolve(tok.merges()), tok.contextLength());
        }
        writer.knownTokenIds(tok.knownTokenIds());
        if (source.wAvg() != null) {
            writer.wAvg(source.wAvg());
        }
        writer.textCalibration(m.textCalibration());
        source.directions().forEach(writer::direction);
        m.provenance().forEach(writer::provenance);
        return writer;
    }

    /** The bundle id, written into PNG metadata. */
    public BundleWriter id(String value) {
        checkArgument(
                value != null && !value.isBlank(), "bundle id must not be blank, got '%s'", value);
        this.id = value;
        return this;
    }

    /** Free text. */
    public BundleWriter description(String value) {
        this.description = checkNotNull(value, "description");
        return this;
    }

    /**
     * The dimensions: w width, synthesis layers, z width, CLIP embedding width, generator image
     * size.
     */
    public BundleWriter dimensions(
            int latentDim, int numWs, int zDim, int embeddingDim, int imageSize) {
        BundleManifest.checkDimensions(latentDim, numWs, zDim, embeddingDim, imageSize);
        this.latentDim = latentDim;
        this.numWs = numWs;
        this.zDim = zDim;
        this.embeddingDim = embeddingDim;
        this.imageSize = imageSize;
        return this;
    }

    /** The prior's schedule (default 1000-step cosine, as the published models). */
    public BundleWriter schedule(int steps, BetaSchedule schedule) {
        checkArgument(steps >= 2, "timesteps must be >= 2, got %s", steps);
        this.timesteps = steps;
        this.betaSchedule = checkNotNull(schedule, "schedule");
        return this;
    }

    /** CLIP image preprocessing (default: CLIP statistics at 224, single normalization). */
    public BundleWriter preprocessing(ImagePreprocessing value) {
        this.preprocessing = checkNotNull(value, "preprocessing");
        return this;
    }

    /**
     * The synthesis graph's noise inputs: layer name to resolution, in the reference's drawing
     * order (StyleGAN2: {@code StyleGan2SynthesisGraphWriter.noiseInputs}). The manifest declares
     * them after {@code ws}, then {@link StageContract#NOISE_CONST_SCALE}; the graph must take them
     * as plain inputs (no initializer of the same name: ONNX Runtime's Java API cannot feed an
     * input that has one). Without this call, or with an empty map, the synthesis takes {@code ws}
     * alone.
     */
    public BundleWriter synthesisNoise(Map<String, Integer> noiseInputs) {
        checkNotNull(noiseInputs, "noiseInputs");
        noiseInputs.forEach(
                (name, r) ->
                        checkArgument(
                                name != null && !name.isEmpty() && r != null && r >= 4,
                                "noise input %s: resolution %s",
                                name,
                                r));
        this.synthesisNoise =
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(noiseInputs));
        return this;
    }

    /**
     * Declares the optional preview synthesis (its graph comes from {@link #graph(Stage, Path)}
     * with {@link Stage#SYNTHESIS_PREVIEW}): it reads the first {@code wsRows} rows of ws and the
     * first noise inputs of the synthesis ({@code noiseInputs}, a prefix of {@link
     * #synthesisNoise}'s), and renders {@code size x size} images.
     */
    public BundleWriter synthesisPreview(int wsRows, int size, Map<String, Integer> noiseInputs) {
        checkArgument(wsRows >= 1, "preview ws rows must be >= 1, got %s", wsRows);
        checkArgument(
                size >= 4 && Integer.bitCount(size) == 1,
                "preview size must be a power of two >= 4, got %s",
                size);
        this.previewWsRows = wsRows;
        this.previewSize = size;
        this.previewNoise =
                java.util.Collections.unmodifiableMap(
                        new LinkedHashMap<>(checkNotNull(noiseInputs, "noiseInputs")));
        return this;
    }

    /** The serialized ONNX graph of a stage. */
    public BundleWriter graph(Stage stage, byte[] onnx) {
        checkNotNull(stage, "stage");
        checkArgument(onnx != null && onnx.length > 0, "graph of stage %s is empty", stage.key());
        graphs.put(stage, onnx);
        graphFiles.remove(stage);
        return this;
    }

    /**
     * The ONNX graph of a stage as a file, copied into the bundle by {@link #write()} (streamed:
     * published-size graphs of hundreds of MB never sit in the heap). The file must exist until
     * {@link #write()} returns; it is not changed.
     */
    public BundleWriter graph(Stage stage, Path onnxFile) throws IOException {
        checkNotNull(stage, "stage");
        checkNotNull(onnxFile, "onnxFile");
        checkArgument(
                Files.isRegularFile(onnxFile) && Files.size(onnxFile) > 0,
                "graph of stage %s: %s is not a non-empty file",
                stage.key(),
                onnxFile);
        graphFiles.put(stage, onnxFile);
        graphs.remove(stage);
        return this;
    }

    /** CLIP BPE tokenizer files ({@code vocab.json}, {@code merges.txt}) and the context length. */
    public BundleWriter tokenizer(Path vocabJson, Path mergesTxt, int context) throws IOException {
        checkArgument(context >= 2, "context length must be >= 2, got %s", context);
        tokenizerFiles.clear();
        tokenizerFiles.put("vocab.json", Files.readAllBytes(vocabJson));
        tokenizerFiles.put("merges.txt", Files.readAllBytes(mergesTxt));
        this.contextLength = context;
        this.bpeMergeCount = 0;
        return this;
    }

    /**
     * OpenAI's own {@code bpe_simple_vocab_16e6.txt.gz}, carried unchanged; the vocabulary follows
     * from its first {@code mergeCount} merges ({@link
     * BundleManifest.TokenizerFiles#OPENAI_MERGE_COUNT} for OpenAI CLIP).
     */
    public BundleWriter openAiTokenizer(Path bpeVocabularyGz, int mergeCount, int context)
            throws IOException {
        checkArgument(context >= 2, "context length must be >= 2, got %s", context);
        checkArgument(mergeCount >= 1, "merge count must be >= 1, got %s", mergeCount);
        tokenizerFiles.clear();
        tokenizerFiles.put(OPENAI_BPE_FILE, Files.readAllBytes(bpeVocabularyGz));
        this.contextLength = context;
        this.bpeMergeCount = mergeCount;
        return this;
    }

    /**
     * The token ids the text encoder was trained on (manifest {@code tokenizer.knownTokenIds});
     * prompts with other ids get a warning. Empty (the default): every id is known.
     */
    public BundleWriter knownTokenIds(java.util.Collection<Integer> ids) {
        this.knownTokenIds = new java.util.ArrayList<>(new java.util.TreeSet<>(ids));
        return this;
    }

    /** The training stats of w. */
    public BundleWriter latentStats(LatentStats stats) {
        this.latentStats = checkNotNull(stats, "stats");
        return this;
    }

    /**
     * The map from raw text embeddings to the prior's condition (manifest {@code textCalibration});
     * null (the default) for none, as the published models.
     */
    public BundleWriter textCalibration(TextCalibration value) {
        this.textCalibration = value;
        return this;
    }

    /** StyleGAN's own w_avg (optional). */
    public BundleWriter wAvg(float[] value) {
        this.wAvg = checkNotNull(value, "wAvg").clone();
        return this;
    }

    /** A named edit direction. */
    public BundleWriter direction(String name, EditDirection direction) {
        checkArgument(
                name != null && name.matches("[A-Za-z0-9_.-]+"),
                "direction name must be letters, digits, '_', '.' or '-', got '%s'",
                name);
        directions.put(name, checkNotNull(direction, "direction"));
        return this;
    }

    /** A provenance fact (how the bundle was made). */
    public BundleWriter provenance(String key, String value) {
        provenance.put(checkNotNull(key, "key"), checkNotNull(value, "value"));
        return this;
    }

    /**
     * Writes, validates and publishes the bundle.
     *
     * @return the opened bundle
     * @throws IOException if writing fails or the result does not validate; nothing is left at the
     *     target
     */
    public ModelBundle write() throws IOException {
        checkState(id != null, "bundle id not set");
        checkState(latentDim > 0, "bundle dimensions not set");
        checkState(latentStats != null, "latent stats not set");
        checkState(
                latentStats.dim() == latentDim,
                "latent stats have dim %s, bundle latentDim is %s",
                latentStats.dim(),
                latentDim);
        checkState(!tokenizerFiles.isEmpty(), "tokenizer files not set");
        for (Stage stage : Stage.values()) {
            checkState(
                    stage.optional() || graphs.containsKey(stage) || graphFiles.containsKey(stage),
                    "no graph for stage %s",
                    stage.key());
        }
        boolean preview =
                graphs.containsKey(Stage.SYNTHESIS_PREVIEW)
                        || graphFiles.containsKey(Stage.SYNTHESIS_PREVIEW);
        checkState(
                preview == (previewSize > 0),
                "a preview synthesis needs both its graph and synthesisPreview(..), got %s",
                preview ? "the graph alone" : "the declaration alone");
        if (Files.isDirectory(target)) {
            try (Stream<Path> entries = Files.list(target)) {
                checkState(
                        entries.findAny().isEmpty(),
                        "bundle target %s exists and is not empty",
                        target);
            }
        } else {
            checkState(
                    !Files.exists(target), "bundle target %s exists and is not a folder", target);
        }
        Files.createDirectories(target.getParent());
        Path staging =
                target.resolveSibling("." + target.getFileName() + ".partial-" + UUID.randomUUID());
        try {
            Files.createDirectory(staging);
            writeContent(staging);
            ModelBundle.open(staging); // validate before publishing
            Files.deleteIfExists(target); // an empty folder only, checked above
            AtomicFiles.move(staging, target);
        } finally {
            deleteRecursively(staging);
        }
        return ModelBundle.open(target);
    }

    private void writeContent(Path dir) throws IOException {
        ImagePreprocessing pre =
                preprocessing != null ? preprocessing : ImagePreprocessing.clip(224);
        Map<Stage, StageSpec> stages = new EnumMap<>(Stage.class);
        for (Stage stage : Stage.values()) {
            if (!graphs.containsKey(stage) && !graphFiles.containsKey(stage)) {
                continue; // an optional stage left out (write() checked the required ones)
            }
            String file = stage.key() + ".onnx";
            if (graphFiles.containsKey(stage)) {
                // The staging folder is deleted as a whole on failure: a plain copy suffices.
                Files.copy(graphFiles.get(stage), dir.resolve(file));
            } else {
                AtomicFiles.write(dir.resolve(file), graphs.get(stage));
            }
            if (stage == Stage.SYNTHESIS_PREVIEW) {
                stages.put(
                        stage,
                        new StageSpec(
                                file,
                                StageContract.previewInputs(previewWsRows, latentDim, previewNoise),
                                StageContract.previewOutputs(previewSize)));
                continue;
            }
            List<TensorSpec> inputs =
                    new ArrayList<>(
                            StageContract.inputs(
                                    stage,
                                    latentDim,
                                    numWs,
                                    zDim,
                                    embeddingDim,
                                    imageSize,
                                    pre.inputSize(),
                                    contextLength));
            if (stage == Stage.SYNTHESIS) {
                inputs.addAll(StageContract.noiseInputs(synthesisNoise));
            }
            stages.put(
                    stage,
                    new StageSpec(
                            file,
                            inputs,
                            StageContract.outputs(stage, latentDim, embeddingDim, imageSize)));
        }
        for (Map.Entry<String, byte[]> e : tokenizerFiles.entrySet()) {
            AtomicFiles.write(dir.resolve(e.getKey()), e.getValue());
        }
        Npy.write(dir.resolve("latent_mean.npy"), NpyArray.vector(latentStats.mean()));
        Npy.write(dir.resolve("latent_std.npy"), NpyArray.vector(latentStats.std()));
        if (wAvg != null) {
            Npy.write(dir.resolve("w_avg.npy"), NpyArray.vector(wAvg));
        }
        Map<String, String> directionFiles = new LinkedHashMap<>();
        for (Map.Entry<String, EditDirection> e : directions.entrySet()) {
            EditDirection d = e.getValue();
            String file = "directions/" + e.getKey() + ".npy";
            Npy.write(
                    dir.resolve(file),
                    d.isVector()
                            ? NpyArray.vector(d.values())
                            : new NpyArray(new long[] {d.layers(), d.dim()}, d.values()));
            directionFiles.put(e.getKey(), file);
        }
        BundleManifest manifest =
                new BundleManifest(
                        BundleManifest.FORMAT_VERSION,
                        id,
                        description,
                        latentDim,
                        numWs,
                        zDim,
                        embeddingDim,
                        imageSize,
                        timesteps,
                        betaSchedule,
                        "latent_mean.npy",
                        "latent_std.npy",
                        wAvg != null ? "w_avg.npy" : null,
                        pre,
                        bpeMergeCount > 0
                                ? new BundleManifest.TokenizerFiles(
                                        null,
                                        null,
                                        null,
                                        contextLength,
                                        OPENAI_BPE_FILE,
                                        bpeMergeCount,
                                        knownTokenIds)
                                : BundleManifest.TokenizerFiles.bpe(
                                                "vocab.json", "merges.txt", contextLength)
                                        .withKnownTokenIds(knownTokenIds),
                        textCalibration,
                        stages,
                        directionFiles,
                        provenance,
                        Map.of());
        Map<String, String> checksums = new LinkedHashMap<>();
        for (String file : manifest.files()) {
            checksums.put(file, Checksums.sha256(dir.resolve(file)));
        }
        ManifestCodec.write(
                manifest.withChecksums(checksums), dir.resolve(BundleManifest.FILE_NAME));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
