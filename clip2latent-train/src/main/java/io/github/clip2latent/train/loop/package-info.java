/**
 * The clip2latent training step (reference section 2): data streaming, noising, condition dropout
 * and the optimizer loop.
 */
package io.github.clip2latent.train.loop;
