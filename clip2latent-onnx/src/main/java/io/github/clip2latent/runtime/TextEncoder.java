package io.github.clip2latent.runtime;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.BundleManifest;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.tokenizer.ClipTokenizer;
import io.github.clip2latent.tokenizer.TruncationPolicy;

import java.io.IOException;
import java.util.List;

/**
 * CLIP's text side: the BPE tokenizer and the text encoder graph. Thread-safe; owns its session.
 */
public final class TextEncoder implements AutoCloseable {

    private final ClipTokenizer tokenizer;
    private final StageSession session;
    private final int embeddingDim;

    private TextEncoder(ClipTokenizer tokenizer, StageSession session, int embeddingDim) {
        this.tokenizer = tokenizer;
        this.session = session;
        this.embeddingDim = embeddingDim;
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
        return new TextEncoder(tokenizer, session, bundle.manifest().embeddingDim());
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

    @Override
    public void close() {
        session.close();
    }
}
