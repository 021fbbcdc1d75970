package io.github.clip2latent.convert.read;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds small zip files and hand-assembled pickles for the bad-file tests. */
public final class TestZips {

    private TestZips() {}

    /** Writes the entries, stored (uncompressed) as torch writes them. */
    public static Path write(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey());
                z.setMethod(ZipEntry.STORED);
                z.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                z.setCrc(crc.getValue());
                zip.putNextEntry(z);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    public static Map<String, byte[]> entries() {
        return new LinkedHashMap<>();
    }

    /** A pickle under construction, protocol 2 opcodes. */
    public static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Pickle() {
            out.write(0x80);
            out.write(2);
        }

        public Pickle op(int code) {
            out.write(code);
            return this;
        }

        public Pickle global(String module, String name) {
            out.write('c');
            raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        public Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            int4(b.length);
            raw(b);
            return this;
        }

        public Pickle integer(int v) {
            out.write('J');
            int4(v);
            return this;
        }

        public Pickle mark() {
            return op('(');
        }

        public Pickle tuple() {
            return op('t');
        }

        public Pickle emptyDict() {
            return op('}');
        }

        public Pickle setItem() {
            return op('s');
        }

        public Pickle reduce() {
            return op('R');
        }

        public Pickle persid() {
            return op('Q');
        }

        public Pickle bool(boolean b) {
            return op(b ? 0x88 : 0x89);
        }

        public byte[] stop() {
            out.write('.');
            return out.toByteArray();
        }

        public void int4(int v) {
            out.write(v & 0xFF);
            out.write((v >>> 8) & 0xFF);
            out.write((v >>> 16) & 0xFF);
            out.write((v >>> 24) & 0xFF);
        }

        public Pickle raw2(String ascii) {
            raw(ascii.getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        public void raw(byte[] b) {
            out.write(b, 0, b.length);
        }

        /**
         * Pushes {@code _rebuild_tensor_v2(persistent storage, offset, size, stride, False,
         * OrderedDict())}.
         */
        public Pickle tensor(
                String storageClass, String key, int numel, int offset, int[] size, int[] stride) {
            global("torch._utils", "_rebuild_tensor_v2");
            mark();
            mark().str("storage")
                    .global("torch", storageClass)
                    .str(key)
                    .str("cpu")
                    .integer(numel)
                    .tuple();
            persid();
            integer(offset);
            mark();
            for (int s : size) {
                integer(s);
            }
            tuple();
            mark();
            for (int s : stride) {
                integer(s);
            }
            tuple();
            bool(false);
            global("collections", "OrderedDict").mark().tuple().reduce();
            tuple();
            return reduce();
        }
    }
}
