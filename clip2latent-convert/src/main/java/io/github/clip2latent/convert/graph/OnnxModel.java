package io.github.clip2latent.convert.graph;

import ai.onnx.proto.OnnxMl;

import io.github.clip2latent.files.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable ONNX model written by this project, ready to be serialized to bytes or to a file.
 * Serialization is deterministic: the same graph and metadata give the same bytes.
 */
public final class OnnxModel {

    private final OnnxMl.ModelProto proto;

    /**
     * Wraps a model protobuf.
     *
     * @param proto the model
     */
    public OnnxModel(OnnxMl.ModelProto proto) {
        this.proto = Objects.requireNonNull(proto, "proto");
    }

    /**
     * The underlying protobuf message (immutable).
     *
     * @return the model protobuf
     */
    public OnnxMl.ModelProto proto() {
        return proto;
    }

    /**
     * The model serialized as an ONNX file's bytes.
     *
     * @return the serialized model
     */
    public byte[] toByteArray() {
        return proto.toByteArray();
    }

    /**
     * Writes the model to {@code file} atomically (temporary file, then rename), so a failed or
     * interrupted write never leaves a partial model under that name.
     *
     * @param file the target file
     * @throws IOException when writing fails
     */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, proto::writeTo);
    }

    /**
     * The model's metadata properties in insertion order.
     *
     * @return an unmodifiable key/value map
     */
    public Map<String, String> metadata() {
        Map<String, String> map = new LinkedHashMap<>();
        for (OnnxMl.StringStringEntryProto e : proto.getMetadataPropsList()) {
            map.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(map);
    }

    /**
     * The serialized size in bytes.
     *
     * @return the number of bytes {@link #toByteArray()} returns
     */
    public long serializedSize() {
        return proto.getSerializedSize();
    }
}
