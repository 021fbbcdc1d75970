package io.github.clip2latent.diffusion;

/** The reverse-diffusion samplers a request can choose; {@link #create()} makes one. */
public enum SamplerKind {
    /** Ancestral DDPM, the reference's sampler (reference section 4). */
    DDPM,
    /** Deterministic DDIM (eta = 0). */
    DDIM;

    /** The sampler of this kind; samplers are stateless, so instances may be shared. */
    public Sampler create() {
        return switch (this) {
            case DDPM -> DdpmSampler.INSTANCE;
            case DDIM -> DdimSampler.deterministic();
        };
    }
}
