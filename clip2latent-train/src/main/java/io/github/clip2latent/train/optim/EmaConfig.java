package io.github.clip2latent.train.optim;

/**
 * Exponential moving average of the parameters.
 *
 * @param beta weight of the old average per update, in [0, 1]
 * @param startStep optimizer step after which averaging starts; up to and including it the average
 *     equals the online weights, {@code >= 0}
 */
public record EmaConfig(double beta, long startStep) {

    /** Validates every field; messages name the bad value. */
    public EmaConfig {
        if (!(beta >= 0 && beta <= 1)) {
            throw new IllegalArgumentException("beta must be in [0, 1], got " + beta);
        }
        if (startStep < 0) {
            throw new IllegalArgumentException("startStep must be >= 0, got " + startStep);
        }
    }

    /** The published models' EMA (reference section 2): beta 0.99999 every step after step 1000. */
    public static EmaConfig reference() {
        return new EmaConfig(0.99999, 1000);
    }
}
