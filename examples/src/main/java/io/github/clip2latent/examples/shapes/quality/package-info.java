/**
 * The shapes-world quality benchmark: prompts, ground-truth scoring of generated images, sweeps and
 * reports.
 */
package io.github.clip2latent.examples.shapes.quality;
