package io.github.clip2latent.bundle;

/** The graphs of a bundle, with their manifest keys and the I/O contract the library relies on. */
public enum Stage {
    /** CLIP text encoder: {@code input_ids int64[B, 77] -> text_embeds float32[B, C]}. */
    TEXT_ENCODER("textEncoder"),
    /**
     * CLIP image encoder: {@code pixel_values float32[B, 3, S, S] -> image_embeds float32[B, C]}.
     */
    IMAGE_ENCODER("imageEncoder"),
    /**
     * The clip2latent prior: {@code x_t float32[B, D], t int64[B], condition float32[B, C],
     * keep_condition float32[B] -> x0 float32[B, D]}.
     */
    PRIOR("prior"),
    /** StyleGAN mapping: {@code z float32[B, Z] -> w float32[B, D]}. */
    MAPPING("mapping"),
    /**
     * StyleGAN synthesis: {@code ws float32[B, numWs, D] -> image float32[B, 3, H, W]}, nominally
     * in [-1, 1].
     */
    SYNTHESIS("synthesis"),
    /**
     * Optional: the StyleGAN2 synthesis stopped at a preview resolution P (skip architecture: the
     * image accumulated up to block P), for re-ranking candidates on a preview: {@code ws
     * float32[B, k, D]} (the first k rows of the full ws), the synthesis's first noise inputs and
     * {@code noise_const_scale} {@code -> image float32[B, 3, P, P]}.
     */
    SYNTHESIS_PREVIEW("synthesisPreview", true);

    private final String key;
    private final boolean optional;

    Stage(String key) {
        this(key, false);
    }

    Stage(String key, boolean optional) {
        this.key = key;
        this.optional = optional;
    }

    /** Whether a bundle may leave this stage out. */
    public boolean optional() {
        return optional;
    }

    /** The key of this stage under {@code stages} in the manifest. */
    public String key() {
        return key;
    }
}
