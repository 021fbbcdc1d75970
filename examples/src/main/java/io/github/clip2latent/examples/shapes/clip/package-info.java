/**
 * The shapes world's CLIP: OpenAI's text transformer in miniature with either OpenAI's ViT image
 * tower or a small CNN ({@link io.github.clip2latent.examples.shapes.clip.ConvImageTower}), trained
 * contrastively with SameDiff and exported as the text and image encoder graphs of a bundle.
 */
package io.github.clip2latent.examples.shapes.clip;
