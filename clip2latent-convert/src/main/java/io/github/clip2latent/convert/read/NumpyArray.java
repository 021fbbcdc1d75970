package io.github.clip2latent.convert.read;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small numpy array or scalar found among a pickle's attributes (e.g. StyleGAN3's {@code
 * in_size}), decoded from its raw bytes without numpy: numbers of the numeric dtypes {@code
 * f2/f4/f8, i1/i2/i4/i8, u1/u2/u4/u8, b1}.
 */
public final class NumpyArray {

    private long[] shape = new long[0];
    private String dtype = "";
    private Number[] values = new Number[0];

    NumpyArray() {}

    /**
     * The dimensions.
     *
     * @return a copy of the shape
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The numpy dtype code, e.g. {@code i8} or {@code f8}.
     *
     * @return the dtype
     */
    public String dtype() {
        return dtype;
    }

    /**
     * The values in C order: {@link Long} for integers, {@link Double} for floats, {@link Boolean}
     * values as 0/1 longs.
     *
     * @return a copy of the values
     */
    public Number[] values() {
        return values.clone();
    }

    /**
     * The values as nested lists (a 1-d array gives a flat list).
     *
     * @return the lists
     */
    public List<Object> toList() {
        return nest(0, 0, values.length);
    }

    private List<Object> nest(int dim, int from, int to) {
        List<Object> out = new ArrayList<>();
        if (dim >= shape.length - 1) {
            out.addAll(Arrays.asList(values).subList(from, to));
            return out;
        }
        int step = (to - from) / (int) Math.max(1, shape[dim]);
        for (int i = 0; i < shape[dim]; i++) {
            out.add(nest(dim + 1, from + i * step, from + (i + 1) * step));
        }
        return out;
    }

    void set(long[] newShape, String code, ByteOrder order, byte[] raw, String where) {
        long n = 1;
        for (long d : newShape) {
            n = Math.multiplyExact(n, d);
        }
        int size = elementSize(code, where);
        if (raw.length != n * size) {
            throw new ConversionException(
                    where
                            + ": numpy array of shape "
                            + Arrays.toString(newShape)
                            + " and dtype "
                            + code
                            + " needs "
                            + n * size
                            + " bytes, found "
                            + raw.length);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(order);
        Number[] v = new Number[(int) n];
        for (int i = 0; i < n; i++) {
            v[i] = decode(b, i * size, code);
        }
        this.shape = newShape.clone();
        this.dtype = code;
        this.values = v;
    }

    static int elementSize(String code, String where) {
        if (code.length() == 2 && "fiub".indexOf(code.charAt(0)) >= 0) {
            int s = code.charAt(1) - '0';
            if (s == 1 || s == 2 || s == 4 || s == 8) {
                return s;
            }
        }
        throw new ConversionException(where + ": unsupported numpy dtype '" + code + "'");
    }

    static Number decode(ByteBuffer b, int at, String code) {
        char kind = code.charAt(0);
        int size = code.charAt(1) - '0';
        switch (kind) {
            case 'f':
                if (size == 8) {
                    return b.getDouble(at);
                }
                if (size == 4) {
                    return (double) b.getFloat(at);
                }
                return (double) DType.halfToFloat(b.getShort(at));
            case 'b':
                return (long) (b.get(at) != 0 ? 1 : 0);
            case 'u':
                switch (size) {
                    case 1:
                        return (long) (b.get(at) & 0xFF);
                    case 2:
                        return (long) (b.getShort(at) & 0xFFFF);
                    case 4:
                        return b.getInt(at) & 0xFFFFFFFFL;
                    default:
                        return b.getLong(at);
                }
            default:
                switch (size) {
                    case 1:
                        return (long) b.get(at);
                    case 2:
                        return (long) b.getShort(at);
                    case 4:
                        return (long) b.getInt(at);
                    default:
                        return b.getLong(at);
                }
        }
    }

    @Override
    public String toString() {
        return "NumpyArray["
                + dtype
                + " "
                + Arrays.toString(shape)
                + " "
                + Arrays.toString(values)
                + "]";
    }
}
