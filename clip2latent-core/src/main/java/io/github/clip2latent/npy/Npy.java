package io.github.clip2latent.npy;

import io.github.clip2latent.files.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0 to 3.0) holding little-endian
 * float32 ({@code <f4}) or float64 ({@code <f8}, converted to float32 on read) arrays in C order.
 *
 * <p>Writes are atomic: the bytes go to a temporary file in the target folder, which is then
 * renamed, so a failed or killed write never leaves a partial file under the final name.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /**
     * Reads a float array.
     *
     * @throws IOException naming the file and what was wrong (bad magic, unsupported dtype, Fortran
     *     order, truncated data)
     */
    public static NpyArray read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read .npy file " + file + ": " + e.getMessage(), e);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10) {
            throw new IOException(file + ": not a .npy file (" + bytes.length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new IOException(file + ": not a .npy file (bad magic string)");
            }
        }
        int major = bytes[6];
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(buffer.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new IOException(file + ": truncated .npy header");
            }
            headerLength = buffer.getInt(8);
            headerStart = 12;
        } else {
            throw new IOException(file + ": unsupported .npy format version " + major);
        }
        if (headerLength < 0 || headerStart + headerLength > bytes.length) {
            throw new IOException(file + ": truncated .npy header");
        }
        String header =
                new String(
                        bytes,
                        headerStart,
                        headerLength,
                        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = find(DESCR, header, "descr", file);
        if ("True".equals(find(FORTRAN, header, "fortran_order", file))) {
            throw new IOException(
                    file + ": Fortran-order arrays are not supported; save with C order");
        }
        long[] shape = parseShape(find(SHAPE, header, "shape", file), file);
        long count = count(shape, file);
        if (count > Integer.MAX_VALUE - 8) {
            throw new IOException(
                    file + ": array of " + count + " values is too large for one float[]");
        }
        int dataStart = headerStart + headerLength;
        int width =
                switch (descr) {
                    case "<f4" -> 4;
                    case "<f8" -> 8;
                    default ->
                            throw new IOException(
                                    file
                                            + ": unsupported dtype '"
                                            + descr
                                            + "'; expected little-endian float32 '<f4' or float64"
                                            + " '<f8'");
                };
        long expectedBytes = count * width;
        if (bytes.length - dataStart != expectedBytes) {
            throw new IOException(
                    file
                            + ": shape "
                            + NpyArray.shapeString(shape)
                            + " of "
                            + descr
                            + " needs "
                            + expectedBytes
                            + " data bytes, found "
                            + (bytes.length - dataStart));
        }
        float[] data = new float[(int) count];
        buffer.position(dataStart);
        if (width == 4) {
            buffer.asFloatBuffer().get(data);
        } else {
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) buffer.getDouble(dataStart + 8 * i);
            }
        }
        return new NpyArray(shape, data);
    }

    /** The number of values of a shape, or an IOException naming the file if it overflows. */
    private static long count(long[] shape, Path file) throws IOException {
        long count = 1;
        try {
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
        } catch (ArithmeticException e) {
            throw new IOException(
                    file + ": .npy shape " + NpyArray.shapeString(shape) + " overflows a long", e);
        }
        return count;
    }

    /**
     * Reads only the header of a float .npy file and checks that the file holds exactly the data
     * bytes the header declares: a cheap completeness check of a large file.
     *
     * @return the shape
     * @throws IOException naming the file if it is not a .npy file, or is shorter or longer than
     *     its header says
     */
    public static long[] readShape(Path file) throws IOException {
        byte[] head = new byte[12];
        long size;
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            size = channel.size();
            int n = channel.read(ByteBuffer.wrap(head));
            if (n < 10) {
                throw new IOException(file + ": not a .npy file (" + size + " bytes)");
            }
            for (int i = 0; i < MAGIC.length; i++) {
                if (head[i] != MAGIC[i]) {
                    throw new IOException(file + ": not a .npy file (bad magic string)");
                }
            }
            ByteBuffer buffer = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
            int major = head[6];
            int headerStart = major == 1 ? 10 : 12;
            long headerLength =
                    major == 1
                            ? Short.toUnsignedInt(buffer.getShort(8))
                            : Integer.toUnsignedLong(buffer.getInt(8));
            if (major < 1
                    || major > 3
                    || headerStart + headerLength > size
                    || headerLength > 1 << 20) {
                throw new IOException(file + ": bad or truncated .npy header");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            channel.read(header, headerStart);
            String text =
                    new String(
                            header.array(),
                            0,
                            header.position(),
                            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String descr = find(DESCR, text, "descr", file);
            int width = "<f8".equals(descr) ? 8 : 4;
            long[] shape = parseShape(find(SHAPE, text, "shape", file), file);
            long expected =
                    headerStart + headerLength + Math.multiplyExact(count(shape, file), width);
            if (size != expected) {
                throw new IOException(
                        file
                                + ": "
                                + size
                                + " bytes, its header (shape "
                                + NpyArray.shapeString(shape)
                                + " of "
                                + descr
                                + ") needs "
                                + expected
                                + ": the file is truncated or damaged");
            }
            return shape;
        } catch (ArithmeticException e) {
            throw new IOException(file + ": .npy shape overflows", e);
        }
    }

    private static String find(Pattern pattern, String header, String key, Path file)
            throws IOException {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new IOException(
                    file + ": .npy header has no '" + key + "' entry: " + header.trim());
        }
        return m.group(1);
    }

    private static long[] parseShape(String text, Path file) throws IOException {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                long d =
                        Long.parseLong(
                                trimmed.endsWith("L")
                                        ? trimmed.substring(0, trimmed.length() - 1)
                                        : trimmed);
                if (d < 0) {
                    throw new NumberFormatException("negative");
                }
                dims.add(d);
            } catch (NumberFormatException e) {
                throw new IOException(
                        file + ": bad dimension '" + trimmed + "' in .npy shape (" + text + ")", e);
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Writes a float32 array atomically (version 1.0 header, {@code <f4}, C order).
     *
     * @throws IOException naming the file
     */
    public static void write(Path file, NpyArray array) throws IOException {
        AtomicFiles.write(file, out -> writeTo(out, array));
    }

    /** Writes the .npy bytes of {@code array} to a stream (not closed). */
    public static void writeTo(OutputStream out, NpyArray array) throws IOException {
        String dict =
                "{'descr': '<f4', 'fortran_order': False, 'shape': "
                        + NpyArray.shapeString(array.shape())
                        + ", }";
        // Header padded with spaces and a final newline so that data starts on a 64-byte boundary.
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        StringBuilder header = new StringBuilder(dict);
        header.append(" ".repeat(padding)).append('\n');
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer prefix = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        prefix.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerBytes.length);
        out.write(prefix.array());
        out.write(headerBytes);
        float[] data = array.data();
        ByteBuffer chunk = ByteBuffer.allocate(4 * 8192).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; i += 8192) {
            int n = Math.min(8192, data.length - i);
            chunk.clear();
            chunk.asFloatBuffer().put(data, i, n);
            out.write(chunk.array(), 0, 4 * n);
        }
    }
}
