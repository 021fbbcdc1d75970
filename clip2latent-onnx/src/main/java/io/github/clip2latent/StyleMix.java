package io.github.clip2latent;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.latent.LayerRange;

/**
 * Style mixing: the layers in {@code layers} take the w of a random latent drawn from {@code seed}
 * (reference section 6: fine layers carry color and lighting).
 *
 * @param layers the synthesis layers to replace
 * @param seed the seed of the donor z
 */
public record StyleMix(LayerRange layers, long seed) {

    /** Validates. */
    public StyleMix {
        checkNotNull(layers, "layers");
    }
}
