package io.github.clip2latent.convert.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Dtypes, offsets, strides, byte order and shared storages, on hand-assembled files. */
class TensorLayoutTest {

    @TempDir Path dir;

    @Test
    void everyHalfValueConvertsExactly() {
        for (int bits = 0; bits < 65536; bits++) {
            int exp = (bits >>> 10) & 0x1F;
            int mant = bits & 0x3FF;
            double sign = (bits & 0x8000) != 0 ? -1 : 1;
            float got = DType.halfToFloat((short) bits);
            if (exp == 0x1F) {
                assertTrue(mant == 0 ? Float.isInfinite(got) : Float.isNaN(got), "bits " + bits);
                continue;
            }
            double expected =
                    exp == 0
                            ? sign * Math.scalb((double) mant, -24)
                            : sign * Math.scalb(1024.0 + mant, exp - 25);
            assertEquals(expected, (double) got, 0.0, "bits " + Integer.toHexString(bits));
            assertEquals(
                    Double.doubleToRawLongBits(expected) >>> 63,
                    Float.floatToRawIntBits(got) >>> 31,
                    "sign of " + Integer.toHexString(bits));
        }
    }

    private static byte[] bytes(
            ByteOrder order, int size, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(size).order(order);
        fill.accept(b);
        return b.array();
    }

    /** One tensor per dtype, a transposed view, an offset view and a shared storage. */
    private Path torchZip(String name, ByteOrder order) throws IOException {
        TestZips.Pickle p = new TestZips.Pickle();
        p.emptyDict().mark();
        p.str("f32").tensor("FloatStorage", "0", 6, 0, new int[] {2, 3}, new int[] {3, 1});
        p.str("f32_t").tensor("FloatStorage", "0", 6, 0, new int[] {3, 2}, new int[] {1, 3});
        p.str("f32_tail").tensor("FloatStorage", "0", 6, 4, new int[] {2}, new int[] {1});
        p.str("f16").tensor("HalfStorage", "1", 3, 0, new int[] {3}, new int[] {1});
        p.str("bf16").tensor("BFloat16Storage", "2", 2, 0, new int[] {2}, new int[] {1});
        p.str("f64").tensor("DoubleStorage", "3", 2, 0, new int[] {2}, new int[] {1});
        p.str("i64").tensor("LongStorage", "4", 2, 0, new int[] {2}, new int[] {1});
        p.str("i32").tensor("IntStorage", "5", 2, 0, new int[] {2}, new int[] {1});
        p.str("u8").tensor("ByteStorage", "6", 2, 0, new int[] {2}, new int[] {1});
        p.str("bool").tensor("BoolStorage", "7", 2, 0, new int[] {2}, new int[] {1});
        p.str("scalar").tensor("LongStorage", "4", 2, 1, new int[] {}, new int[] {});
        p.op('u');
        Map<String, byte[]> e = TestZips.entries();
        e.put(name + "/data.pkl", p.stop());
        e.put(
                name + "/byteorder",
                (order == ByteOrder.BIG_ENDIAN ? "big" : "little")
                        .getBytes(StandardCharsets.US_ASCII));
        e.put(
                name + "/data/0",
                bytes(
                        order,
                        24,
                        b -> {
                            for (int i = 0; i < 6; i++) b.putFloat(i + 0.5f);
                        }));
        e.put(
                name + "/data/1",
                bytes(
                        order,
                        6,
                        b ->
                                b.putShort((short) 0x3C00)
                                        .putShort((short) 0xC000)
                                        .putShort((short) 0x0001)));
        e.put(
                name + "/data/2",
                bytes(order, 4, b -> b.putShort((short) 0x3F80).putShort((short) 0xC0A0)));
        e.put(name + "/data/3", bytes(order, 16, b -> b.putDouble(0.1).putDouble(-2.5)));
        e.put(name + "/data/4", bytes(order, 16, b -> b.putLong(-7).putLong(1L << 40)));
        e.put(name + "/data/5", bytes(order, 8, b -> b.putInt(-3).putInt(123456)));
        e.put(name + "/data/6", new byte[] {(byte) 200, 7});
        e.put(name + "/data/7", new byte[] {1, 0});
        e.put(name + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return TestZips.write(dir.resolve(name + ".pt"), e);
    }

    @Test
    void dtypesOffsetsStridesAndByteOrder() throws IOException {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            Path file = torchZip(order == ByteOrder.BIG_ENDIAN ? "big_folder" : "renamed", order);
            try (StateDict sd = TorchZipReader.readStateDict(file)) {
                assertArrayEquals(
                        new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f},
                        sd.get("f32").toFloatArray());
                assertArrayEquals(
                        new float[] {0.5f, 3.5f, 1.5f, 4.5f, 2.5f, 5.5f},
                        sd.get("f32_t").toFloatArray());
                assertArrayEquals(new float[] {4.5f, 5.5f}, sd.get("f32_tail").toFloatArray());
                assertTrue(sd.get("f32").sharesStorageWith(sd.get("f32_t")));
                assertArrayEquals(new float[] {1f, -2f, 0x1p-24f}, sd.get("f16").toFloatArray());
                assertArrayEquals(new float[] {1f, -5f}, sd.get("bf16").toFloatArray());
                assertArrayEquals(new float[] {0.1f, -2.5f}, sd.get("f64").toFloatArray());
                assertArrayEquals(new long[] {-7, 1L << 40}, sd.get("i64").toLongArray());
                assertArrayEquals(new long[] {-3, 123456}, sd.get("i32").toLongArray());
                assertArrayEquals(new long[] {200, 7}, sd.get("u8").toLongArray());
                assertArrayEquals(new long[] {1, 0}, sd.get("bool").toLongArray());
                assertArrayEquals(new long[] {1L << 40}, sd.get("scalar").toLongArray());
                assertEquals(DType.BFLOAT16, sd.get("bf16").dtype());
                assertEquals(DType.BOOL, sd.get("bool").dtype());
                assertEquals(1, sd.get("scalar").numel());
            }
        }
    }

    /** Writes a safetensors file: the header in the given order, then the data. */
    static Path safetensors(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
        return file;
    }

    @Test
    void safetensorsInHeaderOrder() throws IOException {
        byte[] data =
                bytes(
                        ByteOrder.LITTLE_ENDIAN,
                        12 + 4 + 8 + 2,
                        b -> {
                            b.putFloat(1f).putFloat(2f).putFloat(-3f);
                            b.putShort((short) 0x3C00).putShort((short) 0x7BFF);
                            b.putLong(42);
                            b.put((byte) 1).put((byte) 9);
                        });
        String header =
                "{\"__metadata__\":{\"format\":\"pt\"},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[0,12]},"
                        + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[12,16]},"
                        + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[16,24]},"
                        + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[24,26]}}";
        try (StateDict sd =
                SafetensorsReader.readStateDict(
                        safetensors(dir.resolve("m.safetensors"), header, data))) {
            assertEquals(java.util.List.of("w", "h", "n", "b"), sd.names());
            assertArrayEquals(new long[] {1, 3}, sd.get("w").shape());
            assertArrayEquals(new float[] {1f, 2f, -3f}, sd.get("w").toFloatArray());
            assertArrayEquals(new float[] {1f, 65504f}, sd.get("h").toFloatArray());
            assertArrayEquals(new long[] {42}, sd.get("n").toLongArray());
            assertArrayEquals(new long[] {1, 9}, sd.get("b").toLongArray());
        }
    }
}
