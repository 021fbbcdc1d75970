/**
 * The {@code clip2latent-train} command line: generate a dataset, fit, export and evaluate a prior.
 */
package io.github.clip2latent.train.cli;
