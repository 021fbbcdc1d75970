/**
 * Offline conversion: reads the published model files safely (PyTorch zip checkpoints, TorchScript
 * archives, NVIDIA network pickles, safetensors) and writes ONNX graphs (the graph builder, the
 * prior, StyleGAN and CLIP graph writers). Depends on the core only, never on the runtime module.
 */
module io.github.clip2latent.convert {
    requires transitive io.github.clip2latent.core;
    // OnnxModel hands out the ONNX protobuf ModelProto (tribuo-util-onnx's OnnxMl).
    requires transitive org.tribuo.util.onnx;
    requires transitive com.google.protobuf;
    requires com.google.common;
    // The pickle virtual machine under the safe unpickler (an automatic module named after its jar).
    requires pickle;
    requires com.fasterxml.jackson.databind;

    exports io.github.clip2latent.convert.graph;
    exports io.github.clip2latent.convert.prior;
    exports io.github.clip2latent.convert.read;
    exports io.github.clip2latent.convert.stylegan;
}
