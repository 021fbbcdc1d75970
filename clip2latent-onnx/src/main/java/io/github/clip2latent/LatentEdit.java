package io.github.clip2latent;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.latent.EditDirection;
import io.github.clip2latent.latent.LayerRange;

/**
 * An edit {@code ws += strength * direction} on a range of layers, applied after truncation.
 *
 * @param direction the direction, shape (D) or (numWs, D)
 * @param strength the multiplier, finite
 * @param layers the layers to edit, or null for all
 */
public record LatentEdit(EditDirection direction, float strength, LayerRange layers) {

    /** Validates. */
    public LatentEdit {
        checkNotNull(direction, "direction");
        checkArgument(Float.isFinite(strength), "edit strength must be finite, got %s", strength);
    }
}
