/**
 * The model bundle: a folder of ONNX graphs, latent stats, tokenizer files and edit directions
 * described by a {@code clip2latent.json} manifest, read and validated here and written by code.
 */
package io.github.clip2latent.bundle;
