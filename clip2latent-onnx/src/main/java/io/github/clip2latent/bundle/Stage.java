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
    SYNTHESIS("synthesis");

    private final String key;

    Stage(String key) {
        this.key = key;
    }

    /** The key of this stage under {@code stages} in the manifest. */
    public String key() {
        return key;
    }
}
