/**
 * The (w, e_i) training dataset: generated from a bundle's StyleGAN and CLIP image encoder into
 * resumable, atomically written {@code .npy} shards, and read back by row for training.
 */
package io.github.clip2latent.train.dataset;
