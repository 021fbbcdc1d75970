package io.github.clip2latent.convert.graph;

import ai.onnx.proto.OnnxMl;

import java.util.Objects;

/** A node attribute (ONNX {@code AttributeProto}) built from Java values. */
public final class Attribute {

    private final OnnxMl.AttributeProto proto;

    private Attribute(OnnxMl.AttributeProto proto) {
        this.proto = proto;
    }

    /**
     * An integer attribute, e.g. {@code axis}.
     *
     * @param name attribute name
     * @param value the value
     * @return the attribute
     */
    public static Attribute of(String name, long value) {
        return new Attribute(
                base(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value).build());
    }

    /**
     * A float attribute, e.g. {@code epsilon}.
     *
     * @param name attribute name
     * @param value the value
     * @return the attribute
     */
    public static Attribute of(String name, float value) {
        return new Attribute(
                base(name).setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(value).build());
    }

    /**
     * A string attribute.
     *
     * @param name attribute name
     * @param value the value
     * @return the attribute
     */
    public static Attribute of(String name, String value) {
        return new Attribute(
                base(name)
                        .setType(OnnxMl.AttributeProto.AttributeType.STRING)
                        .setS(
                                com.google.protobuf.ByteString.copyFromUtf8(
                                        Objects.requireNonNull(value, "value")))
                        .build());
    }

    /**
     * An integer-list attribute, e.g. {@code perm} or {@code kernel_shape}.
     *
     * @param name attribute name
     * @param values the values
     * @return the attribute
     */
    public static Attribute ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder b =
                base(name).setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return new Attribute(b.build());
    }

    private static OnnxMl.AttributeProto.Builder base(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("attribute name must not be blank");
        }
        return OnnxMl.AttributeProto.newBuilder().setName(name);
    }

    /**
     * The protobuf message.
     *
     * @return the attribute protobuf
     */
    public OnnxMl.AttributeProto proto() {
        return proto;
    }

    /**
     * The attribute's name.
     *
     * @return the name
     */
    public String name() {
        return proto.getName();
    }
}
