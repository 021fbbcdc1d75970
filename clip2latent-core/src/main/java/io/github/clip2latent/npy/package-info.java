/**
 * Reading and writing NumPy {@code .npy} files of float32 arrays, the exchange format of latent
 * stats, edit directions and dataset shards.
 */
package io.github.clip2latent.npy;
