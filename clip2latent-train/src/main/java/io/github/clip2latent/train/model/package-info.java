/**
 * The clip2latent diffusion prior network (DALLE2-pytorch {@code DiffusionPriorNetwork}) built as a
 * trainable ND4J SameDiff graph.
 */
package io.github.clip2latent.train.model;
