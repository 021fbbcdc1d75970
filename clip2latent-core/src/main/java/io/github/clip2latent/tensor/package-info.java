/** Tensor element types shared by the bundle manifest, the runtime and the graph writers. */
package io.github.clip2latent.tensor;
