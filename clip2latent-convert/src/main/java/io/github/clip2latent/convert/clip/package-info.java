/**
 * OpenAI CLIP (ViT image tower and text transformer, as {@code clip.load(..., jit=False)} builds
 * them): configuration inferred from the weights, checked weights, the image and text encoder ONNX
 * graph writers, and the importer of OpenAI's and Hugging Face's files.
 */
package io.github.clip2latent.convert.clip;
