/**
 * NVIDIA StyleGAN generators (the stylegan3 code base that clip2latent vendors) as ONNX graphs:
 * the network metadata and weights read from a network pickle's {@code G_ema}, the mapping network
 * writer (StyleGAN2 and StyleGAN3) and the StyleGAN2 synthesis writer.
 */
package io.github.clip2latent.convert.stylegan;
