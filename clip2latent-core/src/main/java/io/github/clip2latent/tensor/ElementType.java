package io.github.clip2latent.tensor;

import java.util.Optional;

/**
 * The tensor element types of this project's graphs: the one list shared by the bundle manifest
 * (its {@code "float32"} / {@code "int64"} names), the runtime's load-time checks and the graph
 * writers (ONNX {@code TensorProto.DataType} numbers), so that the three cannot drift apart.
 */
public enum ElementType {
    /** 32-bit IEEE float, {@code "float32"} in a manifest, ONNX data type 1. */
    FLOAT("float32", 1),
    /** 64-bit signed integer (token ids, timesteps, shapes), {@code "int64"}, ONNX data type 7. */
    INT64("int64", 7),
    /** Boolean (masks inside graphs; never a bundle input or output), ONNX data type 9. */
    BOOL("bool", 9);

    private final String manifestName;
    private final int onnxDataType;

    ElementType(String manifestName, int onnxDataType) {
        this.manifestName = manifestName;
        this.onnxDataType = onnxDataType;
    }

    /**
     * The name used in {@code clip2latent.json}.
     *
     * @return e.g. {@code "float32"}
     */
    public String manifestName() {
        return manifestName;
    }

    /**
     * The number of this type in ONNX's {@code TensorProto.DataType} (onnx.proto).
     *
     * @return e.g. 1 for {@link #FLOAT}
     */
    public int onnxDataType() {
        return onnxDataType;
    }

    /**
     * Parses a manifest name.
     *
     * @param name a name such as {@code "float32"}
     * @return the type, or empty when the name is not one of {@link #manifestName()}
     */
    public static Optional<ElementType> fromManifestName(String name) {
        for (ElementType type : values()) {
            if (type.manifestName.equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
