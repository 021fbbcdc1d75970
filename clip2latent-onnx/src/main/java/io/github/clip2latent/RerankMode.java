package io.github.clip2latent;

/**
 * How best-of-n re-ranking renders the candidates it ranks with CLIP ({@link
 * SampleRequest.Builder#candidates(int)} > 1).
 */
public enum RerankMode {
    /**
     * Every candidate at full size, ranked on those images (the reference's best-of-n): the
     * default.
     */
    FULL,
    /**
     * Every candidate on the bundle's preview synthesis (StyleGAN2: the image accumulated up to a
     * lower resolution, 256 for the published 1024 generator), ranked with CLIP through the same
     * preprocessing (resized to CLIP's input); only the winners are rendered at full size, with the
     * same ws and noise as their previews. Cheaper for many candidates; the winner may differ from
     * {@link #FULL}'s (docs/benchmarks.md). Needs a bundle with a preview synthesis.
     */
    PREVIEW
}
