/**
 * The fluent text-to-image API: {@link io.github.clip2latent.Clip2Latent} loads a bundle, a {@link
 * io.github.clip2latent.SampleRequest} says what to draw, a {@link
 * io.github.clip2latent.SampleResult} holds the images, latents, scores and timings.
 */
package io.github.clip2latent;
