package io.github.clip2latent.train.optim;

/**
 * AdamW hyperparameters (PyTorch {@code torch.optim.AdamW} semantics).
 *
 * @param learningRate step size, {@code > 0}
 * @param beta1 decay of the first moment, in [0, 1)
 * @param beta2 decay of the second moment, in [0, 1)
 * @param eps added to the bias-corrected root second moment, {@code > 0}
 * @param weightDecay decoupled decay coefficient, {@code >= 0}, applied only to parameters of rank
 *     two or more
 */
public record AdamWConfig(
        double learningRate, double beta1, double beta2, double eps, double weightDecay) {

    /** Validates every field; messages name the bad value. */
    public AdamWConfig {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(
                    "learningRate must be finite and > 0, got " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException(
                    "weightDecay must be finite and >= 0, got " + weightDecay);
        }
    }

    /**
     * The reference's settings (section 2): lr 1e-4, betas (0.9, 0.999), eps 1e-6, weight decay
     * 0.01.
     */
    public static AdamWConfig reference() {
        return new AdamWConfig(1e-4, 0.9, 0.999, 1e-6, 0.01);
    }
}
