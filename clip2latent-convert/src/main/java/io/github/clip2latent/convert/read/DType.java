package io.github.clip2latent.convert.read;

import java.util.Optional;

/** Element types of stored tensors, with their PyTorch storage and safetensors names. */
public enum DType {
    /** IEEE 754 binary32. */
    FLOAT32(4, "FloatStorage", "F32"),
    /** IEEE 754 binary16; converted to float32 exactly. */
    FLOAT16(2, "HalfStorage", "F16"),
    /** bfloat16 (the upper 16 bits of a binary32); converted to float32 exactly. */
    BFLOAT16(2, "BFloat16Storage", "BF16"),
    /** IEEE 754 binary64. */
    FLOAT64(8, "DoubleStorage", "F64"),
    /** Signed 64-bit integer. */
    INT64(8, "LongStorage", "I64"),
    /** Signed 32-bit integer. */
    INT32(4, "IntStorage", "I32"),
    /** Unsigned 8-bit integer. */
    UINT8(1, "ByteStorage", "U8"),
    /** Boolean, one byte, 0 or 1. */
    BOOL(1, "BoolStorage", "BOOL");

    private final int size;
    private final String storageClass;
    private final String safetensorsName;

    DType(int size, String storageClass, String safetensorsName) {
        this.size = size;
        this.storageClass = storageClass;
        this.safetensorsName = safetensorsName;
    }

    /**
     * Bytes per element.
     *
     * @return the element size
     */
    public int size() {
        return size;
    }

    /**
     * The PyTorch legacy storage class name, e.g. {@code FloatStorage} (pickled as {@code
     * torch.FloatStorage}).
     *
     * @return the class name without the {@code torch.} module
     */
    public String storageClass() {
        return storageClass;
    }

    /**
     * The dtype name in a safetensors header, e.g. {@code F32}.
     *
     * @return the safetensors name
     */
    public String safetensorsName() {
        return safetensorsName;
    }

    /**
     * Whether the type holds floating point values.
     *
     * @return true for FLOAT32, FLOAT16, BFLOAT16 and FLOAT64
     */
    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT16 || this == BFLOAT16 || this == FLOAT64;
    }

    /**
     * Looks a PyTorch storage class up, e.g. {@code HalfStorage}.
     *
     * @param storageClass the class name without module
     * @return the dtype, or empty when unknown
     */
    public static Optional<DType> fromStorageClass(String storageClass) {
        for (DType d : values()) {
            if (d.storageClass.equals(storageClass)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * Looks a safetensors dtype name up, e.g. {@code F16}.
     *
     * @param name the header's dtype
     * @return the dtype, or empty when unknown
     */
    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * Converts an IEEE 754 binary16 bit pattern to float32 exactly (every half value is a float
     * value): normals, subnormals, signed zeros, infinities and NaN (payload kept).
     *
     * @param bits the 16 bits
     * @return the same value as a float
     */
    public static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal: value = mant * 2^-24, exact in float32.
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * Converts a bfloat16 bit pattern to float32 exactly.
     *
     * @param bits the 16 bits
     * @return the value
     */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
