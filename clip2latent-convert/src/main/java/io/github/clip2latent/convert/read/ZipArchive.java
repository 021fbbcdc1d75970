package io.github.clip2latent.convert.read;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The entries of a zip file (PKWARE APPNOTE 6.3: end of central directory, ZIP64 records, central
 * and local headers), with stored entries memory-mapped rather than copied: torch writes every
 * entry of a checkpoint stored (uncompressed) and 64-byte aligned, so a 390 MB checkpoint is read
 * without holding it in the heap. Every offset and size is checked against the file's length before
 * it is used.
 */
final class ZipArchive implements Closeable {

    /** One entry: where its data starts and how it is stored. */
    record Entry(String name, int method, long compressedSize, long size, long headerOffset) {}

    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;
    private static final int STORED = 0;
    private static final int DEFLATED = 8;

    private final Path file;
    private final FileChannel channel;
    private final long length;
    private final Map<String, Entry> entries;

    private ZipArchive(Path file, FileChannel channel, long length, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.length = length;
        this.entries = entries;
    }

    /** Whether the file starts like a zip (local header or empty-archive signature). */
    static boolean looksLikeZip(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(b, 0) < 4) {
                return false;
            }
            int sig = b.getInt(0);
            return sig == LOCAL_SIG || sig == EOCD_SIG;
        }
    }

    static ZipArchive open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw ConversionException.at(file, "file", "cannot open: " + e, e);
        }
        try {
            long length = channel.size();
            if (length == 0) {
                throw ConversionException.at(file, "file", "empty file (0 bytes), expected a zip");
            }
            Map<String, Entry> entries = readCentralDirectory(file, channel, length);
            return new ZipArchive(file, channel, length, entries);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof ConversionException c) {
                throw c;
            }
            throw ConversionException.at(file, "zip", "cannot read the zip directory: " + e, e);
        }
    }

    private static ByteBuffer read(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) {
                break;
            }
        }
        b.flip();
        return b;
    }

    private static Map<String, Entry> readCentralDirectory(Path file, FileChannel ch, long length)
            throws IOException {
        int tail = (int) Math.min(length, 22 + 65535);
        ByteBuffer end = read(ch, length - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == EOCD_SIG) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw ConversionException.at(
                    file,
                    "zip",
                    "no end-of-central-directory record: not a zip file, or a truncated one ("
                            + length
                            + " bytes)");
        }
        long eocdPos = length - tail + eocd;
        long count = end.getShort(eocd + 10) & 0xFFFF;
        long cdSize = end.getInt(eocd + 12) & 0xFFFFFFFFL;
        long cdOffset = end.getInt(eocd + 16) & 0xFFFFFFFFL;
        if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            if (eocdPos < 20) {
                throw ConversionException.at(file, "zip", "ZIP64 locator missing");
            }
            ByteBuffer loc = read(ch, eocdPos - 20, 20);
            if (loc.getInt(0) != ZIP64_LOCATOR_SIG) {
                throw ConversionException.at(file, "zip", "ZIP64 locator missing");
            }
            long z64 = loc.getLong(8);
            if (z64 < 0 || z64 + 56 > length) {
                throw ConversionException.at(
                        file, "zip", "ZIP64 end record offset " + z64 + " outside the file");
            }
            ByteBuffer rec = read(ch, z64, 56);
            if (rec.getInt(0) != ZIP64_EOCD_SIG) {
                throw ConversionException.at(file, "zip", "bad ZIP64 end record signature");
            }
            count = rec.getLong(32);
            cdSize = rec.getLong(40);
            cdOffset = rec.getLong(48);
        }
        if (cdOffset < 0
                || cdSize < 0
                || cdOffset + cdSize > length
                || cdSize > Integer.MAX_VALUE) {
            throw ConversionException.at(
                    file,
                    "zip",
                    "central directory at "
                            + cdOffset
                            + " (+"
                            + cdSize
                            + " bytes) lies outside the file of "
                            + length
                            + " bytes: truncated zip");
        }
        ByteBuffer cd = read(ch, cdOffset, (int) cdSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long k = 0; k < count; k++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL_SIG) {
                throw ConversionException.at(
                        file, "zip", "central directory entry " + k + " is damaged");
            }
            int method = cd.getShort(p + 10) & 0xFFFF;
            long csize = cd.getInt(p + 20) & 0xFFFFFFFFL;
            long usize = cd.getInt(p + 24) & 0xFFFFFFFFL;
            int nameLen = cd.getShort(p + 28) & 0xFFFF;
            int extraLen = cd.getShort(p + 30) & 0xFFFF;
            int commentLen = cd.getShort(p + 32) & 0xFFFF;
            long offset = cd.getInt(p + 42) & 0xFFFFFFFFL;
            if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
                throw ConversionException.at(
                        file, "zip", "central directory entry " + k + " is damaged");
            }
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // ZIP64 extended information: only the fields whose 32-bit value is saturated.
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xFFFF;
                int size = cd.getShort(x + 2) & 0xFFFF;
                if (id == 0x0001) {
                    int f = x + 4;
                    if (usize == 0xFFFFFFFFL && f + 8 <= x + 4 + size) {
                        usize = cd.getLong(f);
                        f += 8;
                    }
                    if (csize == 0xFFFFFFFFL && f + 8 <= x + 4 + size) {
                        csize = cd.getLong(f);
                        f += 8;
                    }
                    if (offset == 0xFFFFFFFFL && f + 8 <= x + 4 + size) {
                        offset = cd.getLong(f);
                    }
                }
                x += 4 + size;
            }
            entries.put(name, new Entry(name, method, csize, usize, offset));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return Collections.unmodifiableMap(entries);
    }

    Path file() {
        return file;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    /**
     * The entry's bytes: a read-only memory map for a stored entry, an inflated heap copy for a
     * deflated one (at most {@code maxHeapBytes}).
     */
    ByteBuffer data(Entry e, long maxHeapBytes) {
        try {
            long pos = e.headerOffset();
            if (pos < 0 || pos + 30 > length) {
                throw ConversionException.at(
                        file,
                        "entry " + e.name(),
                        "local header at "
                                + pos
                                + " lies outside the file of "
                                + length
                                + " bytes: truncated zip");
            }
            ByteBuffer h = read(channel, pos, 30);
            if (h.getInt(0) != LOCAL_SIG) {
                throw ConversionException.at(
                        file, "entry " + e.name(), "bad local header signature at " + pos);
            }
            long start = pos + 30 + (h.getShort(26) & 0xFFFF) + (h.getShort(28) & 0xFFFF);
            if (start + e.compressedSize() > length) {
                throw ConversionException.at(
                        file,
                        "entry " + e.name(),
                        "data ("
                                + e.compressedSize()
                                + " bytes at "
                                + start
                                + ") runs past the end of the file ("
                                + length
                                + " bytes): truncated zip");
            }
            if (e.method() == STORED) {
                if (e.size() != e.compressedSize()) {
                    throw ConversionException.at(
                            file, "entry " + e.name(), "stored entry with differing sizes");
                }
                if (e.size() > Integer.MAX_VALUE) {
                    throw ConversionException.at(
                            file,
                            "entry " + e.name(),
                            "entries over 2 GiB are not supported, found " + e.size() + " bytes");
                }
                return channel.map(FileChannel.MapMode.READ_ONLY, start, e.size())
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
            if (e.method() == DEFLATED) {
                if (e.size() > maxHeapBytes) {
                    throw ConversionException.at(
                            file,
                            "entry " + e.name(),
                            "compressed entry of "
                                    + e.size()
                                    + " bytes is over the limit of "
                                    + maxHeapBytes);
                }
                ByteBuffer in =
                        channel.map(FileChannel.MapMode.READ_ONLY, start, e.compressedSize());
                Inflater inf = new Inflater(true);
                try {
                    inf.setInput(in);
                    ByteArrayOutputStream out = new ByteArrayOutputStream((int) e.size());
                    byte[] buf = new byte[65536];
                    while (!inf.finished()) {
                        int n = inf.inflate(buf);
                        if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                            break;
                        }
                        out.write(buf, 0, n);
                        if (out.size() > e.size()) {
                            break;
                        }
                    }
                    if (out.size() != e.size()) {
                        throw ConversionException.at(
                                file,
                                "entry " + e.name(),
                                "inflated to " + out.size() + " bytes, expected " + e.size());
                    }
                    return ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
                } catch (DataFormatException ex) {
                    throw ConversionException.at(
                            file, "entry " + e.name(), "corrupt compressed data", ex);
                } finally {
                    inf.end();
                }
            }
            throw ConversionException.at(
                    file, "entry " + e.name(), "unsupported compression method " + e.method());
        } catch (IOException ex) {
            throw ConversionException.at(file, "entry " + e.name(), "read failed: " + ex, ex);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
