/**
 * Exports a trained prior (its EMA weights and latent stats) as an ONNX graph inside a new bundle.
 */
package io.github.clip2latent.train.export;
