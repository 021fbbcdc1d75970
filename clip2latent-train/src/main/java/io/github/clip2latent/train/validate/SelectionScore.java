package io.github.clip2latent.train.validate;

/**
 * The validation measurement that picks the best checkpoint, higher being better. The paper keeps
 * the checkpoint that does best on validation; text-to-image quality is what the model is for, so
 * the default is the CLIP score of generated images for held-out prompts, and the image-embedding
 * similarity when there are no prompts.
 */
public enum SelectionScore {
    /** Mean text-image cosine for the validation prompts. */
    CLIP_SCORE,
    /** Mean image-image cosine for held-out image embeddings. */
    IMAGE_SIMILARITY,
    /** The negated x0 validation loss. */
    NEGATIVE_LOSS;

    /** CLIP score with prompts, else image similarity. */
    public static SelectionScore defaultFor(ValidationOptions options) {
        return options.prompts().isEmpty() ? IMAGE_SIMILARITY : CLIP_SCORE;
    }
}
