/**
 * The shapes world: a small self-made StyleGAN-like generator of 64 x 64 images of one colored
 * shape on a plain background, written as ONNX graphs, with a Java read-out of the true attributes
 * of any latent and captions that can be checked against them.
 */
package io.github.clip2latent.examples.shapes;
