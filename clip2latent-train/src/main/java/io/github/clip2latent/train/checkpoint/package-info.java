/**
 * Atomic, checksummed training checkpoints: a killed run never leaves a partial file under a final
 * name.
 */
package io.github.clip2latent.train.checkpoint;
