/**
 * NVIDIA StyleGAN generators from their network pickles ({@code G_ema}) as ONNX graphs: the mapping
 * network (StyleGAN2 and StyleGAN3), the StyleGAN2 synthesis network (modulated convolutions,
 * FIR upsampling, noise) and the StyleGAN3 synthesis network (Fourier-feature input, modulated
 * convolutions, filtered leaky ReLU).
 */
package io.github.clip2latent.convert.stylegan;
