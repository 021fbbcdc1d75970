/**
 * The pipeline stages run through ONNX Runtime (text encoder, image encoder, prior, generator), the
 * choice of execution provider, and the load-time checks of every graph against the bundle
 * manifest.
 */
package io.github.clip2latent.runtime;
