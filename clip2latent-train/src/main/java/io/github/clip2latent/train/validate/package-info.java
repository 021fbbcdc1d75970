/**
 * Validation of a prior during and after training: held-out loss, image-embedding similarity and
 * CLIP score.
 */
package io.github.clip2latent.train.validate;
