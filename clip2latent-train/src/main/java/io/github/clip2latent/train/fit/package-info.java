/**
 * The training driver: a resumable run with checkpoints, progress lines, validation and the best
 * checkpoint.
 */
package io.github.clip2latent.train.fit;
