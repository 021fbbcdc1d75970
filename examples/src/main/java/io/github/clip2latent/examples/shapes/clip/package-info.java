/**
 * A small CLIP for toy worlds: a CNN image encoder and a bag-of-tokens text encoder trained
 * contrastively with SameDiff, and exported as the text and image encoder graphs of a bundle.
 */
package io.github.clip2latent.examples.shapes.clip;
