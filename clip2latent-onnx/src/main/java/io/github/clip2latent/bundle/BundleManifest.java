package io.github.clip2latent.bundle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.schedule.BetaSchedule;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content of a bundle's {@code clip2latent.json}: dimensions, schedule, preprocessing,
 * tokenizer and the files of every stage. Paths are relative to the bundle folder. Immutable.
 *
 * @param formatVersion the manifest format, {@link #FORMAT_VERSION}
 * @param id a bundle identifier written into PNG metadata
 * @param description free text
 * @param latentDim D, the width of w
 * @param numWs StyleGAN synthesis layers
 * @param zDim width of z for the mapping network
 * @param embeddingDim C, the CLIP embedding width
 * @param imageSize the generator's output height and width
 * @param timesteps diffusion steps the prior was trained with
 * @param betaSchedule the prior's noise schedule
 * @param latentMean {@code .npy} of the training mean of w, shape (D)
 * @param latentStd {@code .npy} of the training std of w, shape (D)
 * @param wAvg optional {@code .npy} of StyleGAN's own w_avg, shape (D), or null
 * @param preprocessing CLIP image preprocessing
 * @param tokenizer tokenizer files
 * @param textCalibration the map from raw text embeddings to the prior's condition, or null for
 *     none (the published models: the prior takes raw text embeddings)
 * @param stages every required stage's graph and I/O, and the optional stages present
 * @param directions named edit directions, {@code .npy} of shape (D) or (numWs, D)
 * @param provenance free key/value facts (how the bundle was made)
 * @param checksums the lowercase hex SHA-256 of every file the manifest names, by its relative path
 *     (written by {@link BundleWriter}, verified at load); empty for bundles written before
 *     checksums existed, which load unverified
 */
public record BundleManifest(
        int formatVersion,
        String id,
        String description,
        int latentDim,
        int numWs,
        int zDim,
        int embeddingDim,
        int imageSize,
        int timesteps,
        BetaSchedule betaSchedule,
        String latentMean,
        String latentStd,
        String wAvg,
        ImagePreprocessing preprocessing,
        TokenizerFiles tokenizer,
        TextCalibration textCalibration,
        Map<Stage, StageSpec> stages,
        Map<String, String> directions,
        Map<String, String> provenance,
        Map<String, String> checksums) {

    /** The manifest file name inside a bundle. */
    public static final String FILE_NAME = "clip2latent.json";

    /** The format version this library reads and writes. */
    public static final int FORMAT_VERSION = 1;

    /**
     * The most diffusion steps a manifest may declare: the reference trains with 1000; the schedule
     * tables take 64 bytes per step.
     */
    public static final int MAX_TIMESTEPS = 100_000;

    /** The only prediction objective the library samples: the network predicts x0. */
    public static final String OBJECTIVE = "x0";

    /** Validates and copies. */
    public BundleManifest {
        checkArgument(
                formatVersion == FORMAT_VERSION,
                "unsupported bundle format version %s (this library reads %s)",
                formatVersion,
                FORMAT_VERSION);
        checkNotNull(id, "id");
        description = description == null ? "" : description;
        checkDimensions(latentDim, numWs, zDim, embeddingDim, imageSize);
        checkArgument(
                timesteps >= 2 && timesteps <= MAX_TIMESTEPS,
                "schedule.timesteps must be in [2, %s], got %s",
                MAX_TIMESTEPS,
                timesteps);
        checkNotNull(betaSchedule, "betaSchedule");
        checkNotNull(latentMean, "latentMean");
        checkNotNull(latentStd, "latentStd");
        checkNotNull(preprocessing, "preprocessing");
        checkNotNull(tokenizer, "tokenizer");
        checkArgument(
                textCalibration == null || textCalibration.dim() == embeddingDim,
                "textCalibration.offset has %s values, expected embeddingDim %s",
                textCalibration == null ? 0 : textCalibration.dim(),
                embeddingDim);
        EnumMap<Stage, StageSpec> copy = new EnumMap<>(Stage.class);
        copy.putAll(stages);
        for (Stage stage : Stage.values()) {
            checkArgument(
                    stage.optional() || copy.containsKey(stage),
                    "manifest has no stage '%s'",
                    stage.key());
        }
        stages = java.util.Collections.unmodifiableMap(copy);
        directions = java.util.Collections.unmodifiableMap(new TreeMap<>(directions));
        provenance = java.util.Collections.unmodifiableMap(new TreeMap<>(provenance));
        checksums =
                java.util.Collections.unmodifiableMap(
                        new TreeMap<>(checksums == null ? Map.of() : checksums));
        for (Map.Entry<String, String> e : checksums.entrySet()) {
            checkArgument(
                    e.getValue().matches("[0-9a-f]{64}"),
                    "checksums.%s must be 64 lowercase hex digits (SHA-256), got '%s'",
                    e.getKey(),
                    e.getValue());
        }
    }

    /**
     * Every file this manifest names, relative to the bundle folder: stage graphs, tokenizer files,
     * latent stats, w_avg and directions.
     */
    public java.util.List<String> files() {
        java.util.List<String> files = new java.util.ArrayList<>();
        for (StageSpec spec : stages.values()) {
            files.add(spec.file());
        }
        if (tokenizer.tokenizerJson() != null) {
            files.add(tokenizer.tokenizerJson());
        }
        if (tokenizer.vocab() != null) {
            files.add(tokenizer.vocab());
            files.add(tokenizer.merges());
        }
        files.add(latentMean);
        files.add(latentStd);
        if (wAvg != null) {
            files.add(wAvg);
        }
        files.addAll(directions.values());
        return java.util.List.copyOf(new java.util.LinkedHashSet<>(files));
    }

    /** A copy with the given checksums. */
    public BundleManifest withChecksums(Map<String, String> newChecksums) {
        return new BundleManifest(
                formatVersion,
                id,
                description,
                latentDim,
                numWs,
                zDim,
                embeddingDim,
                imageSize,
                timesteps,
                betaSchedule,
                latentMean,
                latentStd,
                wAvg,
                preprocessing,
                tokenizer,
                textCalibration,
                stages,
                directions,
                provenance,
                newChecksums);
    }

    /** The spec of one stage; null for an optional stage the bundle leaves out. */
    public StageSpec stage(Stage stage) {
        return stages.get(stage);
    }

    /** Whether the bundle has {@code stage} (always true for a required stage). */
    public boolean hasStage(Stage stage) {
        return stages.containsKey(stage);
    }

    /**
     * The tokenizer files: {@code vocab.json} + {@code merges.txt}, a Hugging Face {@code
     * tokenizer.json}, or OpenAI's own {@code bpe_simple_vocab_16e6.txt.gz} (the vocabulary follows
     * from its first {@code bpeMergeCount} merges, as CLIP's {@code SimpleTokenizer} builds it).
     *
     * @param vocab vocab.json path, or null
     * @param merges merges.txt path, or null
     * @param tokenizerJson tokenizer.json path, or null
     * @param contextLength CLIP's context, 77
     * @param bpeVocabulary path of OpenAI's gzip-compressed merge list, or null; not combined with
     *     the other files
     * @param bpeMergeCount how many merges of {@code bpeVocabulary} to use ({@value
     *     #OPENAI_MERGE_COUNT} for OpenAI CLIP); 0 when {@code bpeVocabulary} is null
     * @param knownTokenIds the token ids the text encoder was trained on, ascending (manifest
     *     field {@code tokenizer.knownTokenIds}); empty when every id of the vocabulary was (as for
     *     OpenAI's models). A prompt with another id draws a warning naming its words.
     */
    public record TokenizerFiles(
            String vocab,
            String merges,
            String tokenizerJson,
            int contextLength,
            String bpeVocabulary,
            int bpeMergeCount,
            List<Integer> knownTokenIds) {

        /** OpenAI CLIP's merge count, {@code 49152 - 256 - 2}. */
        public static final int OPENAI_MERGE_COUNT = 49152 - 256 - 2;

        /** Validates. */
        public TokenizerFiles {
            if (bpeVocabulary != null) {
                checkArgument(
                        vocab == null && merges == null && tokenizerJson == null,
                        "tokenizer names 'bpeVocabulary' and also 'vocab', 'merges' or"
                                + " 'tokenizerJson'; name one tokenizer source");
                checkArgument(
                        bpeMergeCount >= 1,
                        "tokenizer bpeMergeCount must be >= 1, got %s",
                        bpeMergeCount);
            } else {
                checkArgument(
                        (vocab != null && merges != null) || tokenizerJson != null,
                        "tokenizer needs 'vocab' and 'merges', 'tokenizerJson', or"
                                + " 'bpeVocabulary'");
            }
            checkArgument(
                    contextLength >= 2,
                    "tokenizer contextLength must be >= 2, got %s",
                    contextLength);
            knownTokenIds = knownTokenIds == null ? List.of() : List.copyOf(knownTokenIds);
            for (int i = 0; i < knownTokenIds.size(); i++) {
                checkArgument(
                        knownTokenIds.get(i) >= 0
                                && (i == 0 || knownTokenIds.get(i) > knownTokenIds.get(i - 1)),
                        "tokenizer knownTokenIds must be ascending non-negative ids, got %s at"
                                + " index %s",
                        knownTokenIds.get(i),
                        i);
            }
        }

        /** The files without a known-token list (every id known). */
        public TokenizerFiles(
                String vocab,
                String merges,
                String tokenizerJson,
                int contextLength,
                String bpeVocabulary,
                int bpeMergeCount) {
            this(vocab, merges, tokenizerJson, contextLength, bpeVocabulary, bpeMergeCount, List.of());
        }

        /** A copy with another known-token list. */
        public TokenizerFiles withKnownTokenIds(List<Integer> ids) {
            return new TokenizerFiles(
                    vocab, merges, tokenizerJson, contextLength, bpeVocabulary, bpeMergeCount, ids);
        }

        /** vocab.json + merges.txt, or tokenizer.json (the format before bpeVocabulary). */
        public TokenizerFiles(
                String vocab, String merges, String tokenizerJson, int contextLength) {
            this(vocab, merges, tokenizerJson, contextLength, null, 0);
        }

        /** vocab.json + merges.txt. */
        public static TokenizerFiles bpe(String vocab, String merges, int contextLength) {
            return new TokenizerFiles(vocab, merges, null, contextLength);
        }

        /** OpenAI's {@code bpe_simple_vocab_16e6.txt.gz} with OpenAI CLIP's merge count. */
        public static TokenizerFiles openAiBpe(String bpeVocabulary, int contextLength) {
            return new TokenizerFiles(
                    null, null, null, contextLength, bpeVocabulary, OPENAI_MERGE_COUNT);
        }
    }

    /**
     * The check of the bundle's dimensions, shared by this record and {@link BundleWriter}.
     *
     * @throws IllegalArgumentException naming every dimension if one is below 1
     */
    static void checkDimensions(
            int latentDim, int numWs, int zDim, int embeddingDim, int imageSize) {
        checkArgument(
                latentDim >= 1 && numWs >= 1 && zDim >= 1 && embeddingDim >= 1 && imageSize >= 1,
                "dimensions must be >= 1: latentDim=%s numWs=%s zDim=%s embeddingDim=%s"
                        + " imageSize=%s",
                latentDim,
                numWs,
                zDim,
                embeddingDim,
                imageSize);
    }
}
