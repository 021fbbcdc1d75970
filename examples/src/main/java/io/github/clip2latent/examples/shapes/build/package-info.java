/**
 * Builds the embedded shapes-world bundle from scratch: world generator, world CLIP, dataset,
 * prior.
 */
package io.github.clip2latent.examples.shapes.build;
