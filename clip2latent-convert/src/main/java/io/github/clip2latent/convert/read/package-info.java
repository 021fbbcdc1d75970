/**
 * Safe readers of the published model files: PyTorch {@code torch.save} zips, TorchScript archives,
 * NVIDIA network pickles and safetensors, into named tensors; reading never runs code from the file
 * (only an allowlist of pickle globals is resolved, everything else is refused).
 */
package io.github.clip2latent.convert.read;
