package io.github.clip2latent.train.checkpoint;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.clip2latent.files.AtomicFiles;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.train.loop.ShuffleBuffer;
import io.github.clip2latent.train.loop.TrainerConfig;
import io.github.clip2latent.train.loop.TrainerState;
import io.github.clip2latent.train.model.TrainablePrior;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Reads and writes a {@link TrainerState} as one file: magic, format version, a JSON header
 * (configuration, step, latent stats, shuffle state), four groups of named float32 tensors (online,
 * EMA, AdamW first and second moments, little-endian) and a CRC-32 of everything before it.
 *
 * <p>Writes go through {@link AtomicFiles}: a temporary file in the target's directory, forced to
 * disk, then renamed over the target with {@code ATOMIC_MOVE}. A crash leaves either the old file
 * or the new one, never a partial file under the final name (at most a stray {@code .tmp} file,
 * which {@link Checkpointer#latest} ignores); the CRC-32 catches any other damage.
 */
public final class CheckpointFiles {

    private static final byte[] MAGIC = "C2LCKPT\n".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT_VERSION = 1;
    private static final List<String> GROUPS = List.of("online", "ema", "adam_m", "adam_v");
    private static final int CHUNK_FLOATS = 1 << 16;
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private CheckpointFiles() {}

    /**
     * Header fields kept in JSON so a checkpoint is inspectable with a text editor's first lines.
     */
    record Header(
            int formatVersion,
            TrainerConfig config,
            long step,
            float[] latentMean,
            float[] latentStd,
            long shuffleSourceSize,
            long shuffleCursor,
            long[] shuffleSlots) {}

    /**
     * Writes the state atomically to {@code file}, replacing any previous file of that name.
     *
     * @param file destination; its parent directory must exist
     * @param state what to save
     * @throws IOException if writing, forcing or renaming fails; the destination is then unchanged
     */
    public static void write(Path file, TrainerState state) throws IOException {
        AtomicFiles.write(
                file,
                raw -> {
                    CRC32 crc = new CRC32();
                    DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, crc));
                    writeBody(out, state);
                    out.flush();
                    // The checksum itself is written outside the checked stream.
                    new DataOutputStream(raw).writeLong(crc.getValue());
                });
    }

    /**
     * Reads a state written by {@link #write}.
     *
     * @param file the checkpoint
     * @return the state
     * @throws IOException if the file is unreadable, of another format, truncated or corrupt
     */
    public static TrainerState read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            CRC32 crc = new CRC32();
            DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(
                        file + " is not a clip2latent training checkpoint (bad magic)");
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new IOException(
                        file
                                + " has checkpoint format "
                                + version
                                + ", this reader supports "
                                + FORMAT_VERSION);
            }
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            Header header = JSON.readValue(json, Header.class);
            Map<String, long[]> shapes = TrainablePrior.parameterShapes(header.config().model());
            List<Map<String, float[]>> groups = new java.util.ArrayList<>();
            for (String group : GROUPS) {
                groups.add(readGroup(in, file, group, shapes));
            }
            long expected = crc.getValue();
            long stored = new DataInputStream(raw).readLong();
            if (stored != expected) {
                throw new IOException(
                        file
                                + " is corrupt: CRC-32 "
                                + Long.toHexString(stored)
                                + " stored, "
                                + Long.toHexString(expected)
                                + " computed");
            }
            return new TrainerState(
                    header.config(),
                    header.step(),
                    new LatentStats(header.latentMean(), header.latentStd()),
                    new ShuffleBuffer.State(
                            header.shuffleSourceSize(),
                            header.shuffleCursor(),
                            header.shuffleSlots()),
                    groups.get(0),
                    groups.get(1),
                    groups.get(2),
                    groups.get(3));
        } catch (java.io.EOFException e) {
            throw new IOException(file + " is truncated", e);
        }
    }

    private static void writeBody(DataOutputStream out, TrainerState state) throws IOException {
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        ShuffleBuffer.State shuffle = state.shuffle();
        Header header =
                new Header(
                        FORMAT_VERSION,
                        state.config(),
                        state.step(),
                        state.latentStats().mean(),
                        state.latentStats().std(),
                        shuffle.sourceSize(),
                        shuffle.cursor(),
                        shuffle.slots());
        byte[] json = JSON.writeValueAsBytes(header);
        out.writeInt(json.length);
        out.write(json);
        Map<String, long[]> shapes = TrainablePrior.parameterShapes(state.config().model());
        List<Map<String, float[]>> groups =
                List.of(state.online(), state.ema(), state.adamFirst(), state.adamSecond());
        ByteBuffer buffer =
                ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int g = 0; g < GROUPS.size(); g++) {
            Map<String, float[]> tensors = groups.get(g);
            out.writeUTF(GROUPS.get(g));
            out.writeInt(shapes.size());
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                float[] data = tensors.get(e.getKey());
                long n = Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
                if (data == null || data.length != n) {
                    throw new IllegalArgumentException(
                            GROUPS.get(g)
                                    + " tensor "
                                    + e.getKey()
                                    + " must have "
                                    + n
                                    + " values, got "
                                    + (data == null ? "none" : data.length));
                }
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                for (long s : e.getValue()) {
                    out.writeLong(s);
                }
                for (int off = 0; off < data.length; off += CHUNK_FLOATS) {
                    int len = Math.min(CHUNK_FLOATS, data.length - off);
                    buffer.clear();
                    buffer.asFloatBuffer().put(data, off, len);
                    out.write(buffer.array(), 0, len * Float.BYTES);
                }
            }
        }
    }

    private static Map<String, float[]> readGroup(
            DataInputStream in, Path file, String group, Map<String, long[]> shapes)
            throws IOException {
        String name = in.readUTF();
        if (!name.equals(group)) {
            throw new IOException(file + ": expected tensor group " + group + ", found " + name);
        }
        int count = in.readInt();
        if (count != shapes.size()) {
            throw new IOException(
                    file
                            + ": group "
                            + group
                            + " has "
                            + count
                            + " tensors, the model has "
                            + shapes.size());
        }
        byte[] bytes = new byte[CHUNK_FLOATS * Float.BYTES];
        ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String tensor = in.readUTF();
            long[] expected = shapes.get(tensor);
            long[] shape = new long[in.readInt()];
            for (int k = 0; k < shape.length; k++) {
                shape[k] = in.readLong();
            }
            if (expected == null || !Arrays.equals(expected, shape)) {
                throw new IOException(
                        file
                                + ": "
                                + group
                                + " tensor "
                                + tensor
                                + " has shape "
                                + Arrays.toString(shape)
                                + ", the model expects "
                                + (expected == null
                                        ? "no such tensor"
                                        : Arrays.toString(expected)));
            }
            float[] data = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            for (int off = 0; off < data.length; off += CHUNK_FLOATS) {
                int len = Math.min(CHUNK_FLOATS, data.length - off);
                in.readFully(bytes, 0, len * Float.BYTES);
                view.clear();
                view.asFloatBuffer().get(data, off, len);
            }
            out.put(tensor, data);
        }
        return out;
    }
}
