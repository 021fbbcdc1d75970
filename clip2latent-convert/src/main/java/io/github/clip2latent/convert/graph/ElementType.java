package io.github.clip2latent.convert.graph;

import ai.onnx.proto.OnnxMl;

/** The tensor element types this project puts into graph inputs, outputs and initializers. */
public enum ElementType {
    /** 32-bit IEEE float. */
    FLOAT(OnnxMl.TensorProto.DataType.FLOAT),
    /** 64-bit signed integer (token ids, timesteps, shapes). */
    INT64(OnnxMl.TensorProto.DataType.INT64),
    /** Boolean (masks). */
    BOOL(OnnxMl.TensorProto.DataType.BOOL);

    private final OnnxMl.TensorProto.DataType proto;

    ElementType(OnnxMl.TensorProto.DataType proto) {
        this.proto = proto;
    }

    /**
     * Returns the ONNX protobuf data type code.
     *
     * @return the protobuf enum constant for this element type
     */
    public OnnxMl.TensorProto.DataType proto() {
        return proto;
    }
}
