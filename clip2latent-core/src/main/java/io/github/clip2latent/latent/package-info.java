/**
 * StyleGAN latent-space operations: z-scoring, truncation, broadcasting w to layers, style mixing
 * and edit directions.
 */
package io.github.clip2latent.latent;
