/**
 * NVIDIA StyleGAN generators (the stylegan3 code base that clip2latent vendors) as ONNX graphs: the
 * network metadata and weights read from a network pickle's {@code G_ema}, the mapping network writer
 * (StyleGAN2 and StyleGAN3), the StyleGAN2 synthesis writer and the StyleGAN3 synthesis writer
 * (Fourier-feature input, modulated convolutions, filtered leaky ReLU).
 */
package io.github.clip2latent.convert.stylegan;
