package io.github.clip2latent.convert.read;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The raw bytes of one stored array (a torch storage, a safetensors data range): a read-only
 * buffer, usually a memory-mapped zip entry, with its element type and byte order. Several tensors
 * may view one storage.
 */
final class Storage {

    private final Path file;
    private final String entry;
    private final DType dtype;
    private final long numel;
    private final ByteBuffer bytes;

    /**
     * @param file the file it came from
     * @param entry where in the file (zip entry, storage key), for messages
     * @param dtype element type
     * @param numel elements the file declares
     * @param bytes at least {@code numel * dtype.size()} bytes from position 0; the order is set
     *     here
     * @param order the byte order the file declares
     */
    Storage(Path file, String entry, DType dtype, long numel, ByteBuffer bytes, ByteOrder order) {
        this.file = file;
        this.entry = entry;
        this.dtype = dtype;
        this.numel = numel;
        long need = Math.multiplyExact(numel, (long) dtype.size());
        if (bytes.remaining() < need) {
            throw ConversionException.at(
                    file,
                    entry,
                    "storage entry too short: "
                            + numel
                            + " "
                            + dtype
                            + " elements need "
                            + need
                            + " bytes, the entry has "
                            + bytes.remaining());
        }
        this.bytes = bytes.slice().asReadOnlyBuffer().order(order);
    }

    Path file() {
        return file;
    }

    String entry() {
        return entry;
    }

    DType dtype() {
        return dtype;
    }

    long numel() {
        return numel;
    }

    /** Element {@code index} as a float (converted exactly where the type allows). */
    float floatAt(long index) {
        int i = Math.toIntExact(index * dtype.size());
        switch (dtype) {
            case FLOAT32:
                return bytes.getFloat(i);
            case FLOAT16:
                return DType.halfToFloat(bytes.getShort(i));
            case BFLOAT16:
                return DType.bfloat16ToFloat(bytes.getShort(i));
            case FLOAT64:
                return (float) bytes.getDouble(i);
            case INT64:
                return (float) bytes.getLong(i);
            case INT32:
                return (float) bytes.getInt(i);
            case UINT8:
                return bytes.get(i) & 0xFF;
            case BOOL:
                return bytes.get(i) != 0 ? 1f : 0f;
            default:
                throw new AssertionError(dtype);
        }
    }

    /** Element {@code index} as a long (integer and boolean types). */
    long longAt(long index) {
        int i = Math.toIntExact(index * dtype.size());
        switch (dtype) {
            case INT64:
                return bytes.getLong(i);
            case INT32:
                return bytes.getInt(i);
            case UINT8:
                return bytes.get(i) & 0xFF;
            case BOOL:
                return bytes.get(i) != 0 ? 1 : 0;
            default:
                throw new AssertionError(dtype);
        }
    }

    /** Bulk copy of {@code count} float32 elements from {@code start} (contiguous fast path). */
    void copyFloats(long start, float[] out, int count) {
        ByteBuffer view = bytes.duplicate().order(bytes.order());
        view.position(Math.toIntExact(start * 4));
        view.asFloatBuffer().get(out, 0, count);
    }

    /** Bulk conversion of {@code count} float16 elements from {@code start}. */
    void copyHalfs(long start, float[] out, int count) {
        ByteBuffer view = bytes.duplicate().order(bytes.order());
        view.position(Math.toIntExact(start * 2));
        java.nio.ShortBuffer s = view.asShortBuffer();
        for (int k = 0; k < count; k++) {
            out[k] = DType.halfToFloat(s.get(k));
        }
    }
}
