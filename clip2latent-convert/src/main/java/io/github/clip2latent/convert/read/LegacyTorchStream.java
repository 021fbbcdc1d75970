package io.github.clip2latent.convert.read;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The legacy (non-zip) {@code torch.save} stream of one storage, as {@code
 * torch.storage._load_from_bytes} receives it inside NVIDIA network pickles (torch/serialization.py
 * {@code _legacy_save}): pickled magic number, protocol version 1001, system info, the storage as a
 * persistent id {@code ('storage', type, key, location, numel, view_metadata)}, the list of storage
 * keys, then per key an 8-byte element count and the raw bytes.
 */
final class LegacyTorchStream {

    private static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long PROTOCOL = 1001;

    private LegacyTorchStream() {}

    static Storage readStorage(Path file, byte[] bytes) {
        String where = "legacy torch.save storage blob (" + bytes.length + " bytes)";
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        PickleGlobals plain = PickleGlobals.torchSave(file);
        Object magic = SafeUnpickler.load(file, where, in, in.available(), plain, null);
        if (!(magic instanceof Number m) || !new BigInteger(m.toString()).equals(MAGIC)) {
            throw ConversionException.at(
                    file,
                    where,
                    "bad magic number " + magic + ", expected 0x" + MAGIC.toString(16));
        }
        Object protocol = SafeUnpickler.load(file, where, in, in.available(), plain, null);
        if (!(protocol instanceof Number p) || p.longValue() != PROTOCOL) {
            throw ConversionException.at(
                    file, where, "protocol " + protocol + ", expected " + PROTOCOL);
        }
        Object sysInfo = SafeUnpickler.load(file, where, in, in.available(), plain, null);
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            order = ByteOrder.BIG_ENDIAN;
        }
        Object[][] pidHolder = new Object[1][];
        SafeUnpickler.load(
                file,
                where,
                in,
                in.available(),
                plain,
                pid -> {
                    pidHolder[0] = (Object[]) pid;
                    return pid;
                });
        Object[] pid = pidHolder[0];
        if (pid == null
                || pid.length < 5
                || !"storage".equals(pid[0])
                || !(pid[1] instanceof PickleGlobals.StorageType type)) {
            throw ConversionException.at(
                    file, where, "expected one storage persistent id ('storage', type, key, ...)");
        }
        String key = String.valueOf(pid[2]);
        long numel = PickleGlobals.toLong(pid[4]);
        Object keys = SafeUnpickler.load(file, where, in, in.available(), plain, null);
        if (!(keys instanceof List<?> list)
                || list.size() != 1
                || !key.equals(String.valueOf(list.get(0)))) {
            throw ConversionException.at(
                    file, where, "expected the storage key list [" + key + "], found " + keys);
        }
        int pos = bytes.length - in.available();
        if (pos + 8 > bytes.length) {
            throw ConversionException.at(file, where, "storage element count missing: truncated");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        long count = b.getLong(pos);
        if (count != numel) {
            throw ConversionException.at(
                    file,
                    where,
                    "storage declares " + numel + " elements but its data header says " + count);
        }
        long need = numel * type.dtype().size();
        if (pos + 8 + need > bytes.length) {
            throw ConversionException.at(
                    file,
                    where,
                    "storage data too short: "
                            + numel
                            + " "
                            + type.dtype()
                            + " elements need "
                            + need
                            + " bytes, "
                            + (bytes.length - pos - 8)
                            + " left");
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, pos + 8, (int) need);
        return new Storage(file, "storage " + key, type.dtype(), numel, data, order);
    }
}
