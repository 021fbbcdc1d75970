/**
 * CLIP-embedding conditioning helpers: pseudo-text noise for training and cosine similarity for
 * re-ranking.
 */
package io.github.clip2latent.conditioning;
