package io.github.clip2latent.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

class NpyTest {

    @TempDir Path dir;

    @Test
    void roundTripsShapesAndValues() throws IOException {
        NpyArray matrix = NpyArray.matrix(new float[] {1, -2.5f, 3, Float.MIN_VALUE, 5, 6}, 2, 3);
        Path file = dir.resolve("m.npy");
        Npy.write(file, matrix);
        assertEquals(matrix, Npy.read(file));
        assertEquals(0, (Files.size(file) - 6 * 4) % 64, "data starts on a 64-byte boundary");
        NpyArray vector = NpyArray.vector(new float[] {7});
        Npy.write(file, vector);
        NpyArray read = Npy.read(file);
        assertArrayEquals(new long[] {1}, read.shape());
        assertEquals("(1,)", read.shapeString());
    }

    @Test
    void headerIsWhatNumpyWrites() throws IOException {
        Path file = dir.resolve("v.npy");
        Npy.write(file, NpyArray.vector(new float[] {1f, 2f}));
        byte[] bytes = Files.readAllBytes(file);
        assertEquals("934e554d505901", HexFormat.of().formatHex(bytes, 0, 7));
        String header = new String(bytes, 10, bytes.length - 18, StandardCharsets.ISO_8859_1);
        assertTrue(
                header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"),
                header);
        assertTrue(header.endsWith("\n"));
    }

    @Test
    void readsFloat64() throws IOException {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
        String padded = dict + " ".repeat((64 - (10 + dict.length() + 1) % 64) % 64) + "\n";
        ByteBuffer b =
                ByteBuffer.allocate(10 + padded.length() + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
                .putShort((short) padded.length());
        b.put(padded.getBytes(StandardCharsets.ISO_8859_1)).putDouble(0.5).putDouble(-4);
        Path file = dir.resolve("d.npy");
        Files.write(file, b.array());
        assertArrayEquals(new float[] {0.5f, -4f}, Npy.read(file).data());
    }

    @Test
    void errorsNameTheFileAndTheProblem() throws IOException {
        Path garbage = dir.resolve("garbage.npy");
        Files.writeString(garbage, "this is not numpy");
        IOException magic = assertThrows(IOException.class, () -> Npy.read(garbage));
        assertTrue(
                magic.getMessage().contains("garbage.npy") && magic.getMessage().contains("magic"),
                magic.getMessage());

        Path truncated = dir.resolve("truncated.npy");
        Npy.write(truncated, NpyArray.matrix(new float[6], 2, 3));
        byte[] bytes = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        IOException shortData = assertThrows(IOException.class, () -> Npy.read(truncated));
        assertTrue(
                shortData.getMessage().contains("(2, 3)") && shortData.getMessage().contains("20"),
                shortData.getMessage());

        IOException missing =
                assertThrows(IOException.class, () -> Npy.read(dir.resolve("absent.npy")));
        assertTrue(missing.getMessage().contains("absent.npy"), missing.getMessage());
    }

    @Test
    void failedWriteLeavesNothingBehind() throws IOException {
        Path blocked = dir.resolve("blocked");
        Files.createDirectories(
                blocked.resolve("out.npy")); // a directory is in the way of the final name
        assertThrows(
                IOException.class,
                () -> Npy.write(blocked.resolve("out.npy"), NpyArray.vector(new float[] {1})));
        try (var files = Files.list(blocked)) {
            assertEquals(1, files.count(), "the temporary file was removed");
        }
        assertFalse(Files.isRegularFile(blocked.resolve("out.npy")));
    }

    @Test
    void shapeAndDataMustAgree() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new NpyArray(new long[] {2, 2}, new float[3]));
        assertTrue(
                e.getMessage().contains("[2, 2]") && e.getMessage().contains("3"), e.getMessage());
    }
}
