/**
 * NVIDIA StyleGAN generators from their network pickles as ONNX graphs: the StyleGAN3 synthesis
 * network (Fourier-feature input, modulated convolutions, filtered leaky ReLU) and, alongside, the
 * StyleGAN2 synthesis and the mapping network.
 */
package io.github.clip2latent.convert.stylegan;
