/**
 * Offline conversion: writes ONNX graphs (the graph builder, the prior graph writer). Depends on
 * the core only, never on the runtime module.
 */
module io.github.clip2latent.convert {
    requires transitive io.github.clip2latent.core;
    // OnnxModel hands out the ONNX protobuf ModelProto (tribuo-util-onnx's OnnxMl).
    requires transitive org.tribuo.util.onnx;
    requires transitive com.google.protobuf;
    requires com.google.common;

    exports io.github.clip2latent.convert.graph;
    exports io.github.clip2latent.convert.prior;
}
