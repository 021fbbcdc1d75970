package io.github.clip2latent.runtime;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.BundleManifest;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.bundle.TextCalibration;
import io.github.clip2latent.tokenizer.ClipTokenizer;
import io.github.clip2latent.tokenizer.TruncationPolicy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * CLIP's text side: the BPE tokenizer and the text encoder graph. Thread-safe; owns its session.
 */
public final class TextEncoder implements AutoCloseable {

    private final ClipTokenizer tokenizer;
    private final StageSession session;
    private final int embeddingDim;

    /** Token ids the encoder was trained on, or {@code null} when every id was. */
    private final Set<Integer> knownIds;

    /** The bundle's map to the prior's condition, or {@code null} for raw embeddings. */
    private final TextCalibration calibration;

    private TextEncoder(
            ClipTokenizer tokenizer,
            StageSession session,
            int embeddingDim,
            List<Integer> knownTokenIds,
            TextCalibration calibration) {
        this.tokenizer = tokenizer;
        this.session = session;
        this.embeddingDim = embeddingDim;
        this.knownIds = knownTokenIds.isEmpty() ? null : Set.copyOf(knownTokenIds);
        this.calibration = calibration;
    }

    /** Loads the tokenizer files and opens the text encoder graph of a bundle. */
    public static TextEncoder open(ModelBundle bundle, SessionFactory sessions)
            throws BundleException {
        BundleManifest.TokenizerFiles files = bundle.manifest().tokenizer();
        ClipTokenizer tokenizer;
        try {
            tokenizer =
                    (files.bpeVocabulary() != null
                                    ? ClipTokenizer.fromBpeFile(
                                            bundle.resolve(files.bpeVocabulary()),
                                            files.bpeMergeCount())
                                    : files.tokenizerJson() != null
                                            ? ClipTokenizer.fromTokenizerJson(
                                                    bundle.resolve(files.tokenizerJson()))
                                            : ClipTokenizer.fromFiles(
                                                    bundle.resolve(files.vocab()),
                                                    bundle.resolve(files.merges())))
                            .withContextLength(files.contextLength());
        } catch (IOException | RuntimeException e) {
            throw new BundleException(
                    "bundle "
                            + bundle.directory()
                            + ": cannot load the tokenizer: "
                            + e.getMessage(),
                    e);
        }
        StageSession session = sessions.open(bundle, Stage.TEXT_ENCODER);
        try {
            probeVocabulary(bundle, files, tokenizer, session);
        } catch (Throwable e) {
            session.close();
            throw e;
        }
        return new TextEncoder(
                tokenizer,
                session,
                bundle.manifest().embeddingDim(),
                files.knownTokenIds(),
                bundle.manifest().textCalibration());
    }

    /**
     * Runs the largest token id of the vocabulary through the graph once: an id beyond the
     * encoder's embedding table otherwise fails inside ONNX Runtime on the first prompt that uses
     * it, naming the graph instead of the vocabulary.
     */
    private static void probeVocabulary(
            ModelBundle bundle,
            BundleManifest.TokenizerFiles files,
            ClipTokenizer tokenizer,
            StageSession session)
            throws BundleException {
        int context = tokenizer.contextLength();
        long[] ids = new long[context];
        ids[0] = tokenizer.startOfTextId();
        ids[1] = tokenizer.maxTokenId();
        ids[2] = tokenizer.endOfTextId();
        try {
            session.runLong(ids, new long[] {1, context});
        } catch (IllegalStateException e) {
            throw new BundleException(
                    "bundle "
                            + bundle.directory()
                            + ": the vocabulary "
                            + (files.tokenizerJson() != null
                                    ? files.tokenizerJson()
                                    : files.vocab())
                            + " has token ids up to "
                            + tokenizer.maxTokenId()
                            + ", which the text encoder "
                            + bundle.stageFile(Stage.TEXT_ENCODER)
                            + " rejects (is its token table smaller?): "
                            + e.getMessage(),
                    e);
        }
    }

    /** The tokenizer. */
    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** Embedding width C. */
    public int embeddingDim() {
        return embeddingDim;
    }

    /**
     * Embeds prompts: {@code [prompts.size(), C]}, raw (not L2-normalized), as the prior expects.
     *
     * @throws IllegalArgumentException for an empty list, or a prompt too long for the context
     */
    public float[] encode(List<String> prompts) {
        return encode(prompts, tokenizer.truncationPolicy());
    }

    /**
     * Embeds prompts, treating prompts longer than the context by {@code policy}.
     *
     * @throws IllegalArgumentException for an empty list, or a prompt too long for the context
     *     under {@link TruncationPolicy#ERROR}
     */
    public float[] encode(List<String> prompts, TruncationPolicy policy) {
        checkArgument(!prompts.isEmpty(), "no prompt to encode");
        ClipTokenizer chosen =
                policy == tokenizer.truncationPolicy()
                        ? tokenizer
                        : tokenizer.withTruncationPolicy(policy);
        long[] ids = chosen.tokenizeBatch(prompts);
        return session.runLong(ids, new long[] {prompts.size(), tokenizer.contextLength()});
    }

    /**
     * The prior's conditions for embeddings from {@link #encode}: the bundle's {@link
     * TextCalibration} applied (a new array), or {@code embeddings} itself when the bundle has none
     * (the published models' prior takes raw text embeddings). CLIP scores use the raw embeddings.
     *
     * @param embeddings {@code [rows, C]} from {@link #encode}
     * @param rows the number of rows
     * @return {@code [rows, C]} conditions for the prior
     */
    public float[] priorConditions(float[] embeddings, int rows) {
        return calibration == null ? embeddings : calibration.apply(embeddings, rows);
    }

    /**
     * The words of a prompt that hold a token id the encoder was not trained on (the bundle's
     * {@code tokenizer.knownTokenIds}), in prompt order without repeats; empty when the bundle
     * knows every id. Words are the prompt's whitespace-separated pieces, each tokenized alone.
     *
     * @param prompt any text
     * @return the unknown words
     */
    public List<String> unknownWords(String prompt) {
        if (knownIds == null) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String word : prompt.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            for (int id : tokenizer.encode(word)) {
                if (!knownIds.contains(id)) {
                    out.add(word);
                    break;
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * What the encoder will not read as written: words it was not trained on ({@link
     * #unknownWords}) and, under {@link TruncationPolicy#TRUNCATE}, the end of a prompt longer than
     * the context. The image is drawn anyway; these are for the caller to show.
     *
     * @param prompt any text
     * @param policy what happens to a prompt longer than the context
     * @return the warnings, empty when the prompt is read as written
     */
    public List<String> warnings(String prompt, TruncationPolicy policy) {
        List<String> out = new ArrayList<>();
        List<String> unknown = unknownWords(prompt);
        if (!unknown.isEmpty()) {
            out.add(
                    "prompt \""
                            + prompt
                            + "\": the model was not trained on "
                            + (unknown.size() == 1 ? "the word " : "the words ")
                            + unknown.stream()
                                    .map(w -> "'" + w + "'")
                                    .collect(Collectors.joining(", "))
                            + "; it reads "
                            + (unknown.size() == 1 ? "it" : "them")
                            + " as an unknown token, so the image may ignore "
                            + (unknown.size() == 1 ? "it" : "them"));
        }
        int tokens = tokenizer.encode(prompt).length + 2;
        if (policy == TruncationPolicy.TRUNCATE && tokens > tokenizer.contextLength()) {
            out.add(
                    String.format(
                            Locale.ROOT,
                            "prompt \"%s\": %d tokens with start and end tokens, the text"
                                    + " encoder reads %d; the rest is ignored",
                            prompt,
                            tokens,
                            tokenizer.contextLength()));
        }
        return out;
    }

    @Override
    public void close() {
        session.close();
    }
}
