package io.github.clip2latent.convert.read;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads PyTorch {@code torch.save} zip files (prior checkpoints, CLIP state-dict copies) safely:
 * {@code <any folder>/data.pkl} through the allowlisted pickle machine, tensors over {@code
 * <folder>/data/<key>} storages memory-mapped from the file, {@code <folder>/byteorder} honored.
 * The folder is whatever name the file had when saved (e.g. {@code 000510/}), not its current name.
 * Nothing from the file is ever run (PyTorch's own {@code torch.load} runs arbitrary code from the
 * pickle unless {@code weights_only=True}).
 */
public final class TorchZipReader {

    /** The largest {@code data.pkl} read into the heap (the pickle holds no tensor data). */
    static final long MAX_PICKLE_BYTES = 512L << 20;

    private TorchZipReader() {}

    /**
     * Reads the tensors of a state dict inside the file.
     *
     * @param file a {@code torch.save} zip
     * @param pathInRoot keys leading from the root object to the state dict, e.g. {@code
     *     "state_dict"}; none when the root is the state dict
     * @return the tensors in file order; close it to release the file
     * @throws ConversionException naming the file and the entry or key on any problem
     */
    public static StateDict readStateDict(Path file, String... pathInRoot) {
        Loaded loaded = load(file, PickleGlobals.torchSave(file));
        try {
            Object node = loaded.root();
            StringBuilder path = new StringBuilder("root");
            for (String key : pathInRoot) {
                if (!(node instanceof Map<?, ?> m)) {
                    throw ConversionException.at(
                            file,
                            loaded.folder() + "data.pkl " + path,
                            "expected a dict holding '"
                                    + key
                                    + "', found "
                                    + SafeUnpickler.describe(node));
                }
                if (!m.containsKey(key)) {
                    throw ConversionException.at(
                            file,
                            loaded.folder() + "data.pkl " + path,
                            "no key '" + key + "' (keys: " + m.keySet() + ")");
                }
                node = m.get(key);
                path.append("['").append(key).append("']");
            }
            Map<String, Tensor> tensors =
                    tensorMap(file, loaded.folder() + "data.pkl " + path, node);
            return new StateDict(file, tensors, loaded.archive());
        } catch (RuntimeException e) {
            closeQuietly(loaded.archive(), e);
            throw e;
        }
    }

    /**
     * Unpickles the root object: maps (file order), lists, tuples ({@code Object[]}), numbers,
     * strings, {@link Tensor}s and inert {@link PickledObject}s. The tensors stay valid after this
     * returns (their memory maps outlive the closed channel).
     *
     * @param file a {@code torch.save} zip
     * @return the root object
     */
    public static Object readObject(Path file) {
        Loaded loaded = load(file, PickleGlobals.torchSave(file));
        closeQuietly(loaded.archive(), null);
        return loaded.root();
    }

    static Map<String, Tensor> tensorMap(Path file, String where, Object node) {
        if (!(node instanceof Map<?, ?> m)) {
            throw ConversionException.at(
                    file,
                    where,
                    "expected a dict of tensors, found " + SafeUnpickler.describe(node));
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Tensor t)) {
                throw ConversionException.at(
                        file,
                        where + "['" + name + "']",
                        "expected a tensor, found " + SafeUnpickler.describe(e.getValue()));
            }
            tensors.put(name, t.named(name));
        }
        return tensors;
    }

    static void closeQuietly(ZipArchive archive, RuntimeException pending) {
        try {
            archive.close();
        } catch (IOException e) {
            if (pending != null) {
                pending.addSuppressed(e);
            }
        }
    }

    /** An opened archive, its folder (e.g. {@code "000510/"}) and the unpickled root object. */
    record Loaded(ZipArchive archive, String folder, Object root) {}

    static Loaded load(Path file, PickleGlobals globals) {
        return load(file, globals, "data.pkl");
    }

    static Loaded load(Path file, PickleGlobals globals, String pickleName) {
        checkReadable(file);
        ZipArchive archive = ZipArchive.open(file);
        try {
            String root = findRoot(archive, pickleName);
            ZipArchive.Entry pkl = archive.entries().get(root + pickleName);
            ByteBuffer pickle = archive.data(pkl, MAX_PICKLE_BYTES);
            if (pkl.size() > MAX_PICKLE_BYTES) {
                throw ConversionException.at(
                        file, root + pickleName, "pickle of " + pkl.size() + " bytes is too large");
            }
            ByteOrder order = byteOrder(archive, root);
            Map<String, Storage> storages = new HashMap<>();
            Object obj =
                    SafeUnpickler.load(
                            file,
                            root + pickleName,
                            new ByteBufferInput(pickle),
                            pickle.remaining(),
                            globals,
                            pid -> storage(archive, root, order, storages, pid));
            return new Loaded(archive, root, obj);
        } catch (RuntimeException e) {
            closeQuietly(archive, e);
            throw e;
        }
    }

    static void checkReadable(Path file) {
        if (!Files.isRegularFile(file)) {
            throw ConversionException.at(file, "file", "not a readable file");
        }
        try {
            long size = Files.size(file);
            if (size == 0) {
                throw ConversionException.at(
                        file, "file", "empty file (0 bytes), expected a torch.save zip");
            }
        } catch (IOException e) {
            throw ConversionException.at(file, "file", "cannot read: " + e, e);
        }
    }

    private static String findRoot(ZipArchive archive, String pickleName) {
        List<String> roots = new ArrayList<>();
        for (String name : archive.entries().keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0
                    && name.indexOf('/', slash + 1) < 0
                    && name.substring(slash + 1).equals(pickleName)) {
                roots.add(name.substring(0, slash + 1));
            }
        }
        if (roots.isEmpty()) {
            List<String> some = new ArrayList<>(archive.entries().keySet());
            throw ConversionException.at(
                    archive.file(),
                    "<folder>/" + pickleName,
                    "missing: not a PyTorch checkpoint (no <folder>/"
                            + pickleName
                            + " entry; "
                            + some.size()
                            + " entries"
                            + (some.isEmpty()
                                    ? ""
                                    : ", e.g. " + some.subList(0, Math.min(3, some.size())))
                            + ")");
        }
        if (roots.size() > 1) {
            throw ConversionException.at(
                    archive.file(),
                    "<folder>/" + pickleName,
                    "several candidate folders " + roots + ", expected one");
        }
        return roots.get(0);
    }

    private static ByteOrder byteOrder(ZipArchive archive, String root) {
        ZipArchive.Entry e = archive.entries().get(root + "byteorder");
        if (e == null) {
            return ByteOrder.LITTLE_ENDIAN; // files before torch 1.13 omit it: little-endian
        }
        ByteBuffer b = archive.data(e, 64);
        byte[] text = new byte[b.remaining()];
        b.get(text);
        String s = new String(text, StandardCharsets.US_ASCII).trim();
        if (s.equals("little")) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        if (s.equals("big")) {
            return ByteOrder.BIG_ENDIAN;
        }
        throw ConversionException.at(
                archive.file(),
                root + "byteorder",
                "expected 'little' or 'big', found '" + s + "'");
    }

    private static Storage storage(
            ZipArchive archive,
            String root,
            ByteOrder order,
            Map<String, Storage> storages,
            Object pid) {
        Path file = archive.file();
        if (!(pid instanceof Object[] t)
                || t.length < 5
                || !"storage".equals(t[0])
                || !(t[1] instanceof PickleGlobals.StorageType type)) {
            throw ConversionException.at(
                    file,
                    root + "data.pkl",
                    "persistent id "
                            + SafeUnpickler.describe(pid)
                            + " is not ('storage', torch.<Type>Storage, key, location, numel)");
        }
        String key = String.valueOf(t[2]);
        String entryName = root + "data/" + key;
        Storage cached = storages.get(key);
        if (cached != null) {
            return cached;
        }
        ZipArchive.Entry e = archive.entries().get(entryName);
        if (e == null) {
            throw ConversionException.at(
                    file, entryName, "missing storage entry (referenced by data.pkl)");
        }
        long numel = PickleGlobals.toLong(t[4]);
        if (numel < 0 || Math.multiplyExact(numel, (long) type.dtype().size()) > e.size()) {
            throw ConversionException.at(
                    file,
                    entryName,
                    "storage entry too short: "
                            + numel
                            + " "
                            + type.dtype()
                            + " elements need "
                            + numel * type.dtype().size()
                            + " bytes, the entry has "
                            + e.size());
        }
        Storage s = new Storage(file, entryName, type.dtype(), numel, archive.data(e, 0), order);
        storages.put(key, s);
        return s;
    }

    /** Streams a (mapped) buffer to the pickle machine without copying it first. */
    static final class ByteBufferInput extends InputStream {
        private final ByteBuffer buffer;

        ByteBufferInput(ByteBuffer buffer) {
            this.buffer = buffer.duplicate();
        }

        @Override
        public int read() {
            return buffer.hasRemaining() ? buffer.get() & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!buffer.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buffer.remaining());
            buffer.get(b, off, n);
            return n;
        }

        @Override
        public int available() {
            return buffer.remaining();
        }
    }
}
