/**
 * The {@code import} command's library side: the published clip2latent files (prior checkpoint,
 * StyleGAN pickle, CLIP, BPE vocabulary) checked against each other and written as one bundle.
 */
package io.github.clip2latent.examples.importer;
