package io.github.clip2latent.convert.prior;

/**
 * Architecture hyper-parameters of the diffusion prior network (reference section 3).
 *
 * @param dim token width, equal to the CLIP embedding and StyleGAN w width (512 in the paper)
 * @param depth number of transformer blocks (12)
 * @param heads number of query heads (12)
 * @param dimHead width of each head and of the single shared key/value head (64)
 * @param timesteps number of diffusion steps, the rows of the time embedding table (1000)
 */
public record PriorConfig(int dim, int depth, int heads, int dimHead, int timesteps) {

    /**
     * Rotary embedding width cap: DALLE2-pytorch uses {@code RotaryEmbedding(min(32, dim_head))}.
     */
    public static final int MAX_ROTARY_DIM = 32;

    /** Buckets of the T5-style relative position bias table (reference section 3). */
    public static final int REL_POS_BUCKETS = 32;

    /** Tokens in the sequence: condition, time embedding, x_t, learned query. */
    public static final int TOKENS = 4;

    /** Feed-forward expansion factor before SwiGLU halves it (512 -> 4096 -> 2048 -> 512). */
    public static final int FF_MULT = 4;

    /**
     * Validates the hyper-parameters.
     *
     * @param dim positive token width
     * @param depth positive block count
     * @param heads positive head count
     * @param dimHead positive, even head width (rotary embeddings rotate pairs)
     * @param timesteps positive step count
     */
    public PriorConfig {
        requirePositive("dim", dim);
        requirePositive("depth", depth);
        requirePositive("heads", heads);
        requirePositive("dimHead", dimHead);
        requirePositive("timesteps", timesteps);
        if (dimHead % 2 != 0) {
            throw new IllegalArgumentException(
                    "dimHead must be even for rotary pairs, got " + dimHead);
        }
        // Guard the int arithmetic of the largest tensor (the feed-forward input projection).
        long ff = 2L * FF_MULT * dim * dim;
        long time = (long) timesteps * dim;
        if (ff > Integer.MAX_VALUE
                || time > Integer.MAX_VALUE
                || (long) heads * dimHead * dim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("configuration too large for Java arrays: " + this);
        }
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    /**
     * The size of the published checkpoints: dim 512, depth 12, heads 12, dimHead 64, 1000 steps.
     *
     * @return the paper configuration
     */
    public static PriorConfig paper() {
        return new PriorConfig(512, 12, 12, 64, 1000);
    }

    /**
     * Width of the rotary embedding: {@code min(32, dimHead)}, applied to the first dims of each
     * head.
     *
     * @return the rotary width
     */
    public int rotaryDim() {
        return Math.min(MAX_ROTARY_DIM, dimHead);
    }

    /**
     * Width of the concatenated query heads.
     *
     * @return {@code heads * dimHead}
     */
    public int innerDim() {
        return heads * dimHead;
    }

    /**
     * Hidden width of the feed-forward after SwiGLU.
     *
     * @return {@code 4 * dim}
     */
    public int ffInnerDim() {
        return FF_MULT * dim;
    }

    /**
     * Number of learned parameters (the rotary frequencies and LayerNorm biases are buffers and not
     * counted); 48,767,872 for {@link #paper()}.
     *
     * @return the parameter count
     */
    public long parameterCount() {
        long d = dim;
        long perLayer =
                d // attention norm gain
                        + 2L * dimHead // null key and value
                        + (long) innerDim() * d // to_q
                        + 2L * dimHead * d // to_kv
                        + d * innerDim() // to_out.0
                        + d // to_out.1 gain
                        + d // feed-forward norm gain
                        + 2L * ffInnerDim() * d // feed-forward in
                        + d * ffInnerDim(); // feed-forward out
        return d // learned query
                + (long) timesteps * d // time embeddings
                + (long) REL_POS_BUCKETS * heads // relative position bias
                + depth * perLayer
                + d // final norm gain
                + d * d; // project_out
    }
}
