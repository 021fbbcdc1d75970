/**
 * In-place AdamW and parameter EMA over ND4J arrays, with the reference's hyperparameters as
 * defaults.
 */
package io.github.clip2latent.train.optim;
