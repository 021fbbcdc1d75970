package io.github.clip2latent.train.loop;

/**
 * Training pairs (StyleGAN w latent, CLIP image embedding) addressed by row, so that a trainer can
 * resume at any position; in-memory arrays now, memory-mapped shards later.
 */
public interface SampleSource {

    /** Number of rows in one pass over the data, {@code >= 1}. */
    long size();

    /** Width of a w latent. */
    int latentDim();

    /** Width of a condition embedding. */
    int conditionDim();

    /**
     * Copies one row.
     *
     * @param row index in [0, size())
     * @param latent destination of the w latent
     * @param latentOffset where the latent starts in {@code latent}
     * @param condition destination of the condition embedding
     * @param conditionOffset where the embedding starts in {@code condition}
     */
    void read(long row, float[] latent, int latentOffset, float[] condition, int conditionOffset);
}
