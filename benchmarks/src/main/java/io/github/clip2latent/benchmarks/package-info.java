/**
 * JMH benchmarks and measurement programs for the sampler, the prior on ONNX Runtime, the tokenizer
 * and the end-to-end API; their random weights are written at set-up under {@code
 * benchmarks/target/}.
 */
package io.github.clip2latent.benchmarks;
