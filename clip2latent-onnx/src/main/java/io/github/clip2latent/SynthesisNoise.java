package io.github.clip2latent;

/**
 * The StyleGAN2 synthesis noise of a request: the reference's {@code noise_mode} of NVIDIA's {@code
 * SynthesisLayer.forward} ({@code training/networks_stylegan2.py}). Each noise layer adds {@code
 * noise * noise_strength} to its convolution's output, where {@code noise} is a fresh {@code
 * randn([B, 1, r, r])} ({@code 'random'}), the stored {@code noise_const} buffer ({@code 'const'})
 * or nothing ({@code 'none'}). Bundles whose generator has no noise inputs (StyleGAN3, the small
 * test generators) ignore it.
 */
public enum SynthesisNoise {
    /**
     * Fresh normal draws per image and layer, from a stream seeded by the request's seed: the
     * reference's default ({@code G.synthesis(ws)}), reproducible from the seed and independent of
     * how the request is split into chunks.
     */
    RANDOM,
    /** The generator's stored {@code noise_const} buffers: the same noise for every image. */
    CONST,
    /** No noise. */
    NONE
}
