package io.github.clip2latent.npy;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;

/**
 * A dense float32 array with a shape, as stored in a {@code .npy} file (C order).
 *
 * @param shape the dimensions, each >= 0 (empty for a scalar)
 * @param data the values in row-major order; its length is the product of the shape
 */
public record NpyArray(long[] shape, float[] data) {

    /** Validates; the arrays are taken as they are (not copied), so treat them as read-only. */
    public NpyArray {
        checkNotNull(shape, "shape");
        checkNotNull(data, "data");
        long count = 1;
        for (long d : shape) {
            checkArgument(d >= 0, "negative dimension in shape %s", Arrays.toString(shape));
            count = Math.multiplyExact(count, d);
        }
        checkArgument(
                count == data.length,
                "shape %s holds %s values but data has %s",
                Arrays.toString(shape),
                count,
                data.length);
    }

    /** A one-dimensional array. */
    public static NpyArray vector(float[] data) {
        return new NpyArray(new long[] {data.length}, data);
    }

    /** A {@code [rows, cols]} matrix. */
    public static NpyArray matrix(float[] data, int rows, int cols) {
        return new NpyArray(new long[] {rows, cols}, data);
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i}. */
    public long dim(int i) {
        return shape[i];
    }

    /** The shape as text, e.g. {@code (16, 512)}. */
    public String shapeString() {
        return shapeString(shape);
    }

    static String shapeString(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NpyArray that
                && Arrays.equals(shape, that.shape)
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray" + shapeString();
    }
}
