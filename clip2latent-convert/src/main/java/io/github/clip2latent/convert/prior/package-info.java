/**
 * The clip2latent diffusion prior network (DALLE2-pytorch's DiffusionPriorNetwork as used by the
 * published checkpoints): its configuration, weights, ONNX graph writer and the importer of the
 * published checkpoints ({@link io.github.clip2latent.convert.prior.PriorCheckpointImporter}).
 */
package io.github.clip2latent.convert.prior;
