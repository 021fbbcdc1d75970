package io.github.clip2latent.diffusion;

/**
 * A batched network that predicts x0 (the clean, z-scored latent) from a noisy latent: the
 * clip2latent prior (reference section 3) or, in tests, an analytic stand-in.
 *
 * <p>Arrays are row-major and may be longer than needed; only the first {@code rows} rows are read
 * and written. Implementations must not keep references to the arrays after returning.
 */
public interface Denoiser {

    /** Width D of a latent row. */
    int latentDim();

    /** Width C of a condition row. */
    int conditionDim();

    /**
     * Predicts x0 for {@code rows} rows.
     *
     * @param xt noisy latents, {@code [rows, D]}
     * @param timesteps the ORIGINAL diffusion step of each row, {@code [rows]}
     * @param condition the condition embeddings, {@code [rows, C]}
     * @param keep per row, {@code true} to use the condition, {@code false} to drop it (masked in
     *     attention, as in training's condition dropout)
     * @param rows number of rows to predict
     * @param x0 output, {@code [rows, D]}
     */
    void predictX0(
            float[] xt, long[] timesteps, float[] condition, boolean[] keep, int rows, float[] x0);
}
