package io.github.clip2latent.convert.stylegan;

/**
 * The activation functions of NVIDIA's {@code bias_act} that StyleGAN2 generators use, with their
 * default slope and gain ({@code torch_utils/ops/bias_act.py}, table {@code activation_funcs}).
 */
public enum Activation {
    /** Identity, gain 1. */
    LINEAR("linear", 0f, 1.0),
    /** ReLU, gain sqrt(2). */
    RELU("relu", 0f, Math.sqrt(2)),
    /** Leaky ReLU with slope 0.2, gain sqrt(2). */
    LRELU("lrelu", 0.2f, Math.sqrt(2));

    private final String referenceName;
    private final float alpha;
    private final double defaultGain;

    Activation(String referenceName, float alpha, double defaultGain) {
        this.referenceName = referenceName;
        this.alpha = alpha;
        this.defaultGain = defaultGain;
    }

    /**
     * The activation a reference name stands for.
     *
     * @param name the reference's name, e.g. {@code "lrelu"}
     * @return the activation, or {@code null} when this project does not support it
     */
    public static Activation forReferenceName(String name) {
        for (Activation a : values()) {
            if (a.referenceName.equals(name)) {
                return a;
            }
        }
        return null;
    }

    /**
     * The reference's name.
     *
     * @return e.g. {@code "lrelu"}
     */
    public String referenceName() {
        return referenceName;
    }

    /**
     * Slope for negative inputs (0 for ReLU and linear).
     *
     * @return the slope
     */
    public float alpha() {
        return alpha;
    }

    /**
     * The default gain {@code def_gain} applied after the activation.
     *
     * @return the gain
     */
    public double defaultGain() {
        return defaultGain;
    }
}
