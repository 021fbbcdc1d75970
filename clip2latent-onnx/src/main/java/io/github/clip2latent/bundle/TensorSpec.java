package io.github.clip2latent.bundle;

import io.github.clip2latent.tensor.ElementType;
import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;

/**
 * A graph input or output as the manifest declares it.
 *
 * @param name the ONNX value name
 * @param type the element type
 * @param shape the dimensions; -1 marks a dynamic one (such as the batch)
 */
public record TensorSpec(String name, ElementType type, long[] shape) {

    /** Validates and copies. */
    public TensorSpec {
        checkNotNull(name, "name");
        checkNotNull(type, "type");
        checkArgument(!name.isEmpty(), "tensor name must not be empty");
        for (long d : shape) {
            checkArgument(
                    d == -1 || d > 0, "dimension %s of '%s' must be -1 (dynamic) or > 0", d, name);
        }
        shape = shape.clone();
    }

    /** A float32 tensor. */
    public static TensorSpec float32(String name, long... shape) {
        return new TensorSpec(name, ElementType.FLOAT, shape);
    }

    /** An int64 tensor. */
    public static TensorSpec int64(String name, long... shape) {
        return new TensorSpec(name, ElementType.INT64, shape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i}, -1 if dynamic. */
    public long dim(int i) {
        return shape[i];
    }

    /** Text such as {@code float32[batch, 512]}. */
    public String describe() {
        StringBuilder sb = new StringBuilder(type.manifestName()).append('[');
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i] == -1 ? "?" : Long.toString(shape[i]));
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorSpec that
                && name.equals(that.name)
                && type == that.type
                && Arrays.equals(shape, that.shape);
    }

    @Override
    public int hashCode() {
        return (31 * name.hashCode() + type.hashCode()) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + ": " + describe();
    }
}
