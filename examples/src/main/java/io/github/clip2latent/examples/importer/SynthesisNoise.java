package io.github.clip2latent.examples.importer;

/**
 * The per-layer noise of a StyleGAN2 synthesis ({@code noise_mode} of {@code
 * SynthesisLayer.forward}). StyleGAN3 has no noise inputs; the setting is recorded and ignored.
 */
public enum SynthesisNoise {
    /** Fresh {@code randn} per image: the reference's default, what clip2latent samples with. */
    RANDOM("random"),
    /** The stored {@code noise_const} buffers: deterministic images for a given w. */
    CONST("const"),
    /** No noise. */
    NONE("none");

    private final String manifestName;

    SynthesisNoise(String manifestName) {
        this.manifestName = manifestName;
    }

    /** The reference's name, as recorded in the manifest. */
    public String manifestName() {
        return manifestName;
    }
}
