/**
 * Image conversions: generator output to 8-bit images and back, CLIP's preprocessing of generator
 * output (area resize, normalization) and of user images ({@link
 * io.github.clip2latent.image.ClipImageTransform}: OpenAI CLIP's PIL transform, reproduced exactly).
 */
package io.github.clip2latent.image;
