package io.github.clip2latent.train.validate;

import java.util.Locale;

/**
 * The measurements of one validation pass.
 *
 * @param step optimizer steps of the validated weights
 * @param loss x0 mean squared error on held-out pairs at fixed t and noise, condition kept
 * @param imageSimilarity mean cosine between the CLIP embedding of images generated for held-out
 *     image embeddings and those embeddings
 * @param clipScore mean cosine between the CLIP embedding of images generated for the prompts and
 *     the prompts' text embeddings; NaN without prompts
 * @param conditionedDistance mean Euclidean distance, in z-scored w space, between a sample
 *     conditioned on a held-out embedding and that pair's true w
 * @param unconditionalDistance the same distance for unconditional samples from the same initial
 *     noise
 */
public record ValidationResult(
        long step,
        double loss,
        double imageSimilarity,
        double clipScore,
        double conditionedDistance,
        double unconditionalDistance) {

    /** Validates; only the CLIP score may be NaN. */
    public ValidationResult {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (Double.isNaN(loss) || Double.isNaN(imageSimilarity)) {
            throw new IllegalArgumentException(
                    "loss and imageSimilarity must be numbers, got "
                            + loss
                            + " and "
                            + imageSimilarity);
        }
    }

    /**
     * Conditioned over unconditional distance to the true w: below 1 when the condition steers
     * samples towards the latent that produced the embedding.
     */
    public double distanceRatio() {
        return conditionedDistance / unconditionalDistance;
    }

    /**
     * The score the best checkpoint is chosen by (higher is better).
     *
     * @param kind which measurement
     * @return the score
     */
    public double score(SelectionScore kind) {
        return switch (kind) {
            case CLIP_SCORE -> clipScore;
            case IMAGE_SIMILARITY -> imageSimilarity;
            case NEGATIVE_LOSS -> -loss;
        };
    }

    /** One progress line. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "validate: step %d, loss %.4f, image similarity %.4f, CLIP score %.4f, w distance"
                        + " cond/uncond %.3f/%.3f (ratio %.3f)",
                step,
                loss,
                imageSimilarity,
                clipScore,
                conditionedDistance,
                unconditionalDistance,
                distanceRatio());
    }
}
