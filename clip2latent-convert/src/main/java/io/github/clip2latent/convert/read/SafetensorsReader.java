package io.github.clip2latent.convert.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads safetensors files (Hugging Face): an 8-byte little-endian header length, a JSON header
 * mapping each name to {@code dtype}, {@code shape} and {@code data_offsets} (relative to the data
 * section), then the raw little-endian data. Every range is checked against the file before it is
 * memory-mapped; tensors are in header order.
 */
public final class SafetensorsReader {

    /** The spec's limit on the header size (100 MB). */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsReader() {}

    /**
     * Reads every tensor.
     *
     * @param file a {@code .safetensors} file
     * @return the tensors in header order; close it to release the file
     * @throws ConversionException naming the file and the tensor on any problem
     */
    public static StateDict readStateDict(Path file) {
        TorchZipReader.checkReadable(file);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw ConversionException.at(file, "file", "cannot open: " + e, e);
        }
        try {
            long size = ch.size();
            if (size < 8) {
                throw ConversionException.at(
                        file, "header", "file of " + size + " bytes has no 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long n = lenBuf.getLong(0);
            if (n < 2 || n > MAX_HEADER_BYTES || n > size - 8) {
                throw ConversionException.at(
                        file,
                        "header",
                        "header length "
                                + n
                                + " is outside 2.."
                                + Math.min(MAX_HEADER_BYTES, size - 8)
                                + " (file of "
                                + size
                                + " bytes): not a safetensors file, or a truncated one");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
            while (headerBytes.hasRemaining()) {
                if (ch.read(headerBytes, 8 + headerBytes.position()) < 0) {
                    break;
                }
            }
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw ConversionException.at(file, "header", "invalid JSON: " + e.getMessage(), e);
            }
            if (header == null || !header.isObject()) {
                throw ConversionException.at(file, "header", "expected a JSON object");
            }
            long dataStart = 8 + n;
            long dataSize = size - dataStart;
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = header.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                if (name.equals("__metadata__")) {
                    continue;
                }
                tensors.put(name, tensor(file, ch, name, e.getValue(), dataStart, dataSize));
            }
            return new StateDict(file, tensors, ch);
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof ConversionException c) {
                throw c;
            }
            throw ConversionException.at(file, "file", "read failed: " + e, e);
        }
    }

    private static Tensor tensor(
            Path file, FileChannel ch, String name, JsonNode info, long dataStart, long dataSize)
            throws IOException {
        String where = "tensor '" + name + "'";
        if (!info.isObject()
                || !info.path("dtype").isTextual()
                || !info.path("shape").isArray()
                || !info.path("data_offsets").isArray()
                || info.path("data_offsets").size() != 2) {
            throw ConversionException.at(
                    file,
                    where,
                    "expected {dtype, shape, data_offsets: [begin, end]}, found " + info);
        }
        String dt = info.get("dtype").asText();
        DType dtype =
                DType.fromSafetensorsName(dt)
                        .orElseThrow(
                                () ->
                                        ConversionException.at(
                                                file,
                                                where,
                                                "unknown dtype '"
                                                        + dt
                                                        + "' (supported: F32, F16, BF16, F64, I64,"
                                                        + " I32, U8, BOOL)"));
        long[] shape = new long[info.get("shape").size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = info.get("shape").get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw ConversionException.at(file, where, "bad dimension " + d + " in shape");
            }
            shape[i] = d.asLong();
            numel = Math.multiplyExact(numel, shape[i]);
        }
        long begin = info.get("data_offsets").get(0).asLong(-1);
        long end = info.get("data_offsets").get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataSize) {
            throw ConversionException.at(
                    file,
                    where,
                    "data_offsets ["
                            + begin
                            + ", "
                            + end
                            + "] outside the data section of "
                            + dataSize
                            + " bytes: truncated or corrupt file");
        }
        long need = Math.multiplyExact(numel, (long) dtype.size());
        if (end - begin != need) {
            throw ConversionException.at(
                    file,
                    where,
                    "shape "
                            + Arrays.toString(shape)
                            + " of "
                            + dtype
                            + " needs "
                            + need
                            + " bytes, data_offsets give "
                            + (end - begin));
        }
        if (need > Integer.MAX_VALUE) {
            throw ConversionException.at(file, where, "tensors over 2 GiB are not supported");
        }
        ByteBuffer bytes =
                need == 0
                        ? ByteBuffer.allocate(0)
                        : ch.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, need);
        Storage s = new Storage(file, where, dtype, numel, bytes, ByteOrder.LITTLE_ENDIAN);
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        return Tensor.view(where, s, 0, shape, strides).named(name);
    }
}
