package io.github.clip2latent;

/** The reverse-diffusion sampler a request uses. */
public enum SamplerKind {
    /** Ancestral DDPM, the reference's sampler. */
    DDPM,
    /** Deterministic DDIM (eta = 0). */
    DDIM
}
