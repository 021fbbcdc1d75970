package io.github.clip2latent.convert.read;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One stored tensor: a view over a storage with PyTorch's storage offset and strides (in elements)
 * resolved. Immutable; the view is checked against its storage on construction, so reading never
 * goes outside the stored bytes. Values are read lazily from the (usually memory-mapped) storage.
 */
public final class Tensor {

    private final String name;
    private final Storage storage;
    private final long offset;
    private final long[] shape;
    private final long[] strides;
    private final long numel;

    private Tensor(String name, Storage storage, long offset, long[] shape, long[] strides) {
        this.name = name;
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        this.numel = n;
    }

    /**
     * A checked view: dims and strides non-negative, the last element inside the storage.
     *
     * @param where the entry or key being read, for messages
     */
    static Tensor view(String where, Storage storage, long offset, long[] shape, long[] strides) {
        Path file = storage.file();
        if (shape.length != strides.length) {
            throw ConversionException.at(
                    file,
                    where,
                    "tensor has shape "
                            + Arrays.toString(shape)
                            + " but strides "
                            + Arrays.toString(strides));
        }
        if (offset < 0) {
            throw ConversionException.at(file, where, "negative storage offset " + offset);
        }
        long last = offset;
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || strides[i] < 0) {
                throw ConversionException.at(
                        file,
                        where,
                        "negative size or stride: shape "
                                + Arrays.toString(shape)
                                + ", strides "
                                + Arrays.toString(strides));
            }
            if (shape[i] == 0) {
                empty = true;
            } else {
                try {
                    last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, strides[i]));
                } catch (ArithmeticException e) {
                    throw ConversionException.at(
                            file, where, "shape " + Arrays.toString(shape) + " overflows", e);
                }
            }
        }
        if (!empty && last >= storage.numel()) {
            throw ConversionException.at(
                    file,
                    where,
                    "shape "
                            + Arrays.toString(shape)
                            + " with strides "
                            + Arrays.toString(strides)
                            + " at offset "
                            + offset
                            + " is larger than its storage "
                            + storage.entry()
                            + " of "
                            + storage.numel()
                            + " elements (needs element "
                            + last
                            + ")");
        }
        return new Tensor("", storage, offset, shape.clone(), strides.clone());
    }

    /** The same view under another name. */
    Tensor named(String newName) {
        return new Tensor(newName, storage, offset, shape, strides);
    }

    /**
     * The dotted name, e.g. {@code synthesis.b8.conv0.weight}; empty for a tensor read outside a
     * state dict.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The stored element type.
     *
     * @return the dtype
     */
    public DType dtype() {
        return storage.dtype();
    }

    /**
     * The dimensions, in PyTorch order.
     *
     * @return a copy of the shape
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The strides in elements, in PyTorch order.
     *
     * @return a copy of the strides
     */
    public long[] strides() {
        return strides.clone();
    }

    /**
     * The first element's index in the storage.
     *
     * @return the storage offset in elements
     */
    public long storageOffset() {
        return offset;
    }

    /**
     * The number of elements.
     *
     * @return the product of the shape (1 for a 0-d tensor)
     */
    public long numel() {
        return numel;
    }

    /**
     * The file this tensor was read from.
     *
     * @return the path
     */
    public Path source() {
        return storage.file();
    }

    /**
     * Where the storage lives in the file (zip entry or storage key): tensors viewing one storage
     * give equal strings.
     *
     * @return the storage's location in the file
     */
    public String storageEntry() {
        return storage.entry();
    }

    /**
     * Whether this tensor views the same stored bytes as {@code other}.
     *
     * @param other another tensor
     * @return true when both view one storage
     */
    public boolean sharesStorageWith(Tensor other) {
        return storage == other.storage;
    }

    /**
     * Whether the shape equals {@code dims}.
     *
     * @param dims the expected dimensions
     * @return true on equality
     */
    public boolean hasShape(long... dims) {
        return Arrays.equals(shape, dims);
    }

    private int checkedCount() {
        if (numel > Integer.MAX_VALUE - 8) {
            throw ConversionException.at(
                    source(), label(), numel + " elements do not fit in one Java array");
        }
        return (int) numel;
    }

    private String label() {
        return name.isEmpty() ? "tensor in " + storage.entry() : "tensor '" + name + "'";
    }

    private boolean contiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /**
     * A contiguous row-major copy as float32: float16 and bfloat16 exactly, float64 rounded,
     * integers and booleans converted.
     *
     * @return the values
     */
    public float[] toFloatArray() {
        int n = checkedCount();
        float[] out = new float[n];
        if (n == 0) {
            return out;
        }
        if (contiguous() && dtype() == DType.FLOAT32) {
            storage.copyFloats(offset, out, n);
            return out;
        }
        if (contiguous() && dtype() == DType.FLOAT16) {
            storage.copyHalfs(offset, out, n);
            return out;
        }
        long[] index = new long[shape.length];
        long pos = offset;
        for (int k = 0; k < n; k++) {
            out[k] = storage.floatAt(pos);
            pos = advance(index, pos);
        }
        return out;
    }

    /**
     * A contiguous row-major copy of an integer or boolean tensor.
     *
     * @return the values
     * @throws ConversionException naming the file and tensor for a floating-point tensor
     */
    public long[] toLongArray() {
        if (dtype().isFloatingPoint()) {
            throw ConversionException.at(
                    source(), label(), "expected an integer tensor, found " + dtype());
        }
        int n = checkedCount();
        long[] out = new long[n];
        long[] index = new long[shape.length];
        long pos = offset;
        for (int k = 0; k < n; k++) {
            out[k] = storage.longAt(pos);
            pos = advance(index, pos);
        }
        return out;
    }

    /** Steps a row-major multi-index, returning the next storage position. */
    private long advance(long[] index, long pos) {
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d]++;
            pos += strides[d];
            if (index[d] < shape[d]) {
                return pos;
            }
            pos -= strides[d] * index[d];
            index[d] = 0;
        }
        return pos;
    }

    @Override
    public String toString() {
        return "Tensor[" + name + ", " + dtype() + ", " + Arrays.toString(shape) + "]";
    }
}
