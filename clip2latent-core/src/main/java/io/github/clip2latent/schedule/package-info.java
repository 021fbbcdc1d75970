/**
 * Diffusion noise schedules (cosine and linear) and the step plans that respace them for sampling,
 * computed exactly as the reference clip2latent / DALLE2-pytorch code does.
 */
package io.github.clip2latent.schedule;
