/**
 * A small, general layer for writing ONNX graphs from Java over the raw {@code OnnxMl} protobuf
 * builders: typed operator helpers, named initializers, model metadata and atomic model files.
 */
package io.github.clip2latent.convert.graph;
