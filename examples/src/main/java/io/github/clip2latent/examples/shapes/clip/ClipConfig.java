package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.tokenizer.ClipTokenizer;

import java.util.List;

/**
 * Architecture of the small CLIP.
 *
 * <p>Image side: {@code [B, 3, S, S]} pixels, preprocessed as {@link
 * io.github.clip2latent.image.ClipPreprocessor} does for {@code ImagePreprocessing.clip(S)}, go
 * through one convolution per entry of {@link #convChannels} (kernel 4, stride 2, padding 1, ReLU;
 * each halves the side), are flattened (so positions stay distinguishable), then a ReLU MLP of
 * width {@link #imageHidden} projects to {@link #embeddingDim}, and the result is L2-normalized.
 *
 * <p>Text side: token ids {@code [B, T]} pick rows of a {@code [V, tokenDim]} table, which are
 * averaged over positions {@code 0 .. eotIndex} (start token, words, end token; the start and end
 * rows act as a learned bias and the count is never zero), then a ReLU MLP of width {@link
 * #textHidden} projects to {@link #embeddingDim}, and the result is L2-normalized.
 *
 * @param vocabularySize V, the tokenizer's vocabulary size (the table's rows)
 * @param contextLength T, the tokenizer's context length (77 for CLIP)
 * @param endOfTextId the tokenizer's end token; its first occurrence in a row ends the pooling
 * @param embeddingDim C, the width of both embeddings
 * @param tokenDim width of the token table
 * @param textHidden hidden width of the text MLP
 * @param imageSize S, the side of the preprocessed image; divisible by {@code
 *     2^convChannels.size()}
 * @param convChannels output channels of each convolution, at least one
 * @param imageHidden hidden width of the image MLP
 */
public record ClipConfig(
        int vocabularySize,
        int contextLength,
        int endOfTextId,
        int embeddingDim,
        int tokenDim,
        int textHidden,
        int imageSize,
        List<Integer> convChannels,
        int imageHidden) {

    /** The default embedding width C. */
    public static final int DEFAULT_EMBEDDING_DIM = 64;

    /** The default preprocessed image side S: a 2 x 2 area downsample of 64 x 64 images. */
    public static final int DEFAULT_IMAGE_SIZE = 32;

    /** Validates and copies. */
    public ClipConfig {
        checkArgument(vocabularySize >= 2, "vocabularySize must be >= 2, got %s", vocabularySize);
        checkArgument(contextLength >= 2, "contextLength must be >= 2, got %s", contextLength);
        checkArgument(
                endOfTextId >= 0 && endOfTextId < vocabularySize,
                "endOfTextId must be in [0, %s), got %s",
                vocabularySize,
                endOfTextId);
        checkArgument(embeddingDim >= 1, "embeddingDim must be >= 1, got %s", embeddingDim);
        checkArgument(tokenDim >= 1, "tokenDim must be >= 1, got %s", tokenDim);
        checkArgument(textHidden >= 1, "textHidden must be >= 1, got %s", textHidden);
        checkArgument(imageHidden >= 1, "imageHidden must be >= 1, got %s", imageHidden);
        convChannels = List.copyOf(checkNotNull(convChannels, "convChannels"));
        checkArgument(
                !convChannels.isEmpty() && convChannels.size() <= 8,
                "convChannels needs 1 to 8 layers, got %s",
                convChannels);
        for (int c : convChannels) {
            checkArgument(c >= 1, "convChannels must be >= 1, got %s", convChannels);
        }
        int factor = 1 << convChannels.size();
        checkArgument(
                imageSize >= factor && imageSize % factor == 0,
                "imageSize must be a positive multiple of 2^%s = %s (one halving per convolution),"
                        + " got %s",
                convChannels.size(),
                factor,
                imageSize);
        // The one-hot batch [B, T, V] is the largest training tensor; keep V * T in int range.
        checkArgument(
                (long) vocabularySize * contextLength <= Integer.MAX_VALUE,
                "vocabularySize x contextLength too large: %s x %s",
                vocabularySize,
                contextLength);
    }

    /**
     * The default size for a tokenizer: C = 64, token width 64, text hidden 128, 32 x 32 input,
     * convolutions 16-32-64, image hidden 128. The one-hot training input is {@code [B, T, V]}, so
     * this is meant for small vocabularies such as {@link
     * io.github.clip2latent.tokenizer.ClipVocabularyWriter} writes, not CLIP's 49,408.
     *
     * @param tokenizer the tokenizer whose vocabulary, context length and end token to use
     * @return the configuration
     */
    public static ClipConfig defaults(ClipTokenizer tokenizer) {
        checkNotNull(tokenizer, "tokenizer");
        return new ClipConfig(
                tokenizer.vocabularySize(),
                tokenizer.contextLength(),
                tokenizer.endOfTextId(),
                DEFAULT_EMBEDDING_DIM,
                64,
                128,
                DEFAULT_IMAGE_SIZE,
                List.of(16, 32, 64),
                128);
    }

    /** A copy with another embedding width C. */
    public ClipConfig withEmbeddingDim(int dim) {
        return new ClipConfig(
                vocabularySize,
                contextLength,
                endOfTextId,
                dim,
                tokenDim,
                textHidden,
                imageSize,
                convChannels,
                imageHidden);
    }

    /** The side of the last feature map: {@code S / 2^convChannels.size()}. */
    public int featureSide() {
        return imageSize >> convChannels.size();
    }

    /** The width of the flattened last feature map: channels x side x side. */
    public int flatFeatures() {
        int side = featureSide();
        return convChannels.get(convChannels.size() - 1) * side * side;
    }
}
