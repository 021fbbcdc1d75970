/**
 * The diffusion maths of clip2latent: noise schedules and respacing, samplers, classifier-free
 * guidance, latent-space operations, {@code .npy} files and tensor element types. Pure Java.
 */
module io.github.clip2latent.core {
    requires com.google.common;

    exports io.github.clip2latent.diffusion;
    exports io.github.clip2latent.latent;
    exports io.github.clip2latent.npy;
    exports io.github.clip2latent.schedule;
    exports io.github.clip2latent.tensor;
    // Shared by the project's modules, not an API of their own.
    exports io.github.clip2latent.conditioning to
            io.github.clip2latent.onnx,
            io.github.clip2latent.train;
    exports io.github.clip2latent.files to
            io.github.clip2latent.onnx,
            io.github.clip2latent.convert,
            io.github.clip2latent.train;
}
