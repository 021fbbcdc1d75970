/**
 * The reverse diffusion process: the denoiser contract, classifier-free guidance and the DDPM and
 * DDIM samplers, independent of how the network is run.
 */
package io.github.clip2latent.diffusion;
