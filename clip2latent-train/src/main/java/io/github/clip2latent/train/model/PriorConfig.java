package io.github.clip2latent.train.model;

/**
 * Shape of the prior network: token width, number of blocks, attention heads, head width and
 * the number of diffusion steps the time-embedding table covers.
 *
 * <p>The published models use {@code new PriorConfig(512, 12, 12, 64, 1000)}
 * (reference section 3, 48,767,872 parameters).
 *
 * @param dim width of every token; also the width of the condition and of x_t
 * @param depth number of transformer blocks
 * @param heads number of query heads (one shared key/value head: multi-query attention)
 * @param dimHead width of one head; must be even because rotary embedding rotates pairs
 * @param timesteps rows of the learned time-embedding table (diffusion steps)
 */
public record PriorConfig(int dim, int depth, int heads, int dimHead, int timesteps) {

    /** Number of tokens in the sequence: condition, time, x_t, learned query. */
    public static final int TOKENS = 4;

    /** Number of relative-position buckets of the reference's {@code RelPosBias}. */
    public static final int REL_POS_BUCKETS = 32;

    /** Validates every field; messages name the bad value. */
    public PriorConfig {
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, got " + depth);
        }
        if (heads < 1) {
            throw new IllegalArgumentException("heads must be >= 1, got " + heads);
        }
        if (dimHead < 2 || dimHead % 2 != 0) {
            throw new IllegalArgumentException("dimHead must be even and >= 2, got " + dimHead);
        }
        if (timesteps < 1) {
            throw new IllegalArgumentException("timesteps must be >= 1, got " + timesteps);
        }
        // Every parameter is copied through a float[]; the largest is the feed-forward input (8 dim x dim).
        if (8L * dim * dim > Integer.MAX_VALUE || (long) timesteps * dim > Integer.MAX_VALUE
                || (long) heads * dimHead * dim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("configuration too large for Java arrays: dim " + dim
                    + ", heads " + heads + ", dimHead " + dimHead + ", timesteps " + timesteps);
        }
    }

    /** The published clip2latent prior: dim 512, depth 12, 12 heads of 64, 1000 steps. */
    public static PriorConfig published() {
        return new PriorConfig(512, 12, 12, 64, 1000);
    }

    /** Width of the rotary embedding: {@code min(32, dimHead)} as in DALLE2-pytorch's {@code CausalTransformer}. */
    public int rotaryWidth() {
        return Math.min(32, dimHead);
    }

    /** Width of the feed-forward hidden layer after SwiGLU ({@code 4 * dim}, mult 4). */
    public int ffInner() {
        return 4 * dim;
    }

    /** Total number of trainable scalars. */
    public long parameterCount() {
        long perLayer = dim + 2L * dimHead + (long) heads * dimHead * dim + 2L * dimHead * dim
                + (long) dim * heads * dimHead + dim + dim + 8L * dim * dim + (long) dim * 4 * dim;
        return dim + (long) timesteps * dim + (long) REL_POS_BUCKETS * heads + depth * perLayer
                + dim + (long) dim * dim;
    }
}
