package io.github.clip2latent.convert.read;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads NVIDIA network pickles (StyleGAN2/3 snapshots as {@code training_loop.py} and {@code
 * legacy.py} write them) safely: networks are {@code torch_utils.persistence} objects whose meta
 * (class name, state) becomes a {@link ModuleRecord}; the embedded module source is never run;
 * tensors are {@code _rebuild_tensor_v2} over {@code torch.storage._load_from_bytes} (legacy {@code
 * torch.save} bytes, checked); {@code dnnlib.util.EasyDict} becomes a map; numpy scalars and small
 * arrays are decoded as numbers. The pickle's tensor bytes are held in the heap (the format embeds
 * them in the pickle stream).
 */
public final class NetworkPickleReader {

    private NetworkPickleReader() {}

    /**
     * Reads the pickle.
     *
     * @param file a network pickle ({@code .pkl})
     * @return its top-level entries
     * @throws ConversionException naming the file and the entry on any problem
     */
    public static NetworkPickle read(Path file) {
        TorchZipReader.checkReadable(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(2);
            ch.read(head, 0);
            if (head.get(0) == 'P' && head.get(1) == 'K') {
                throw ConversionException.at(
                        file,
                        "file",
                        "a zip (torch.save or TorchScript file), not a network pickle; use"
                                + " TorchZipReader or TorchScriptReader");
            }
            if ((head.get(0) & 0xFF) != 0x80) {
                throw ConversionException.at(
                        file,
                        "file",
                        "not a pickle: expected the PROTO opcode 0x80 first, found 0x"
                                + Integer.toHexString(head.get(0) & 0xFF));
            }
            ByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            Object root =
                    SafeUnpickler.load(
                            file,
                            "pickle",
                            new TorchZipReader.ByteBufferInput(mapped),
                            size,
                            PickleGlobals.networkPickle(file),
                            null);
            if (!(root instanceof Map<?, ?> m)) {
                throw ConversionException.at(
                        file,
                        "pickle root",
                        "expected a dict of networks, found " + SafeUnpickler.describe(root));
            }
            Map<String, Object> entries = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                Object v = e.getValue();
                entries.put(
                        key,
                        v instanceof PickledObject p
                                ? ModuleRecord.of(file, "", p)
                                : ModuleRecord.plain(v));
            }
            return new NetworkPickle(file, entries);
        } catch (IOException e) {
            throw ConversionException.at(file, "file", "read failed: " + e, e);
        }
    }
}
