/**
 * Image conversions: generator output to 8-bit images and back, and CLIP's preprocessing (area
 * resize, normalization).
 */
package io.github.clip2latent.image;
