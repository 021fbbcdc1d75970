package io.github.clip2latent.convert.graph;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named float tensor in row-major order, used for weights and constants. The arrays are copied on
 * construction, and {@link #shape()} and {@link #data()} return copies, so an instance never
 * changes; {@link #buffer()} gives a read-only view without copying.
 *
 * @param name the tensor's name, e.g. a checkpoint parameter name
 * @param shape the dimensions, each at least 1 (an empty shape is a scalar)
 * @param data the values, exactly as many as the product of {@code shape}
 */
public record NamedTensor(String name, long[] shape, float[] data) {

    /**
     * Validates the name, the shape and that the data length equals the product of the shape.
     *
     * @param name non-blank name
     * @param shape dimensions, each {@code >= 1}
     * @param data values in row-major order
     */
    public NamedTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        if (name.isBlank()) {
            throw new IllegalArgumentException("tensor name must not be blank");
        }
        long count = elementCount(name, shape);
        if (count != data.length) {
            throw new IllegalArgumentException(
                    "tensor '"
                            + name
                            + "' with shape "
                            + Arrays.toString(shape)
                            + " needs "
                            + count
                            + " values, got "
                            + data.length);
        }
        shape = shape.clone();
        data = data.clone();
    }

    /**
     * The product of the dimensions, checked for overflow and non-positive dimensions.
     *
     * @param name used in error messages
     * @param shape the dimensions
     * @return the number of elements
     */
    static long elementCount(String name, long[] shape) {
        long count = 1;
        for (long d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException(
                        "tensor '"
                                + name
                                + "' has a non-positive dimension in shape "
                                + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    /**
     * Returns a copy of the shape.
     *
     * @return the dimensions
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Returns a copy of the values; prefer {@link #buffer()} for large tensors.
     *
     * @return the values in row-major order
     */
    @Override
    public float[] data() {
        return data.clone();
    }

    /**
     * A read-only view of the values, without copying.
     *
     * @return a read-only buffer positioned at 0
     */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(data).asReadOnlyBuffer();
    }

    /**
     * The number of values.
     *
     * @return the product of the shape
     */
    public int size() {
        return data.length;
    }

    /**
     * One value by flat row-major index.
     *
     * @param index index in {@code [0, size())}
     * @return the value
     */
    public float get(int index) {
        return data[index];
    }

    /**
     * Whether the shape equals the given dimensions.
     *
     * @param dims the expected dimensions
     * @return true when the ranks and all dimensions are equal
     */
    public boolean hasShape(long... dims) {
        return Arrays.equals(shape, dims);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedTensor other
                && name.equals(other.name)
                && Arrays.equals(shape, other.shape)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "NamedTensor[" + name + " " + Arrays.toString(shape) + "]";
    }
}
