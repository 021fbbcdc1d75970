package io.github.clip2latent.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.train.loop.ShuffleBuffer;
import io.github.clip2latent.train.loop.TrainerConfig;
import io.github.clip2latent.train.loop.TrainerState;
import io.github.clip2latent.train.model.TrainablePrior;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** File-format tests; they build states by hand so no SameDiff graph is needed. */
class CheckpointFilesTest {

    private static final PriorConfig TINY = new PriorConfig(4, 1, 1, 2, 3);

    private static Map<String, float[]> filled(float base) {
        Map<String, float[]> out = new LinkedHashMap<>();
        float v = base;
        for (Map.Entry<String, long[]> e : TrainablePrior.parameterShapes(TINY).entrySet()) {
            long n = 1;
            for (long s : e.getValue()) {
                n *= s;
            }
            float[] data = new float[(int) n];
            for (int i = 0; i < data.length; i++) {
                data[i] = v;
                v += 0.25f;
            }
            out.put(e.getKey(), data);
        }
        return out;
    }

    private static TrainerState state(long step) {
        return new TrainerState(
                TrainerConfig.reference(TINY, 77L).withBatchSize(3),
                step,
                new LatentStats(new float[] {1, 2, 3, 4}, new float[] {0.5f, 1, 1.5f, 2}),
                new ShuffleBuffer.State(10, 123, new long[] {4, 9, 0}),
                filled(0),
                filled(1000),
                filled(-5),
                filled(0.125f));
    }

    @Test
    void roundTripsEveryField(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.ckpt");
        TrainerState saved = state(42);
        CheckpointFiles.write(file, saved);
        TrainerState read = CheckpointFiles.read(file);
        assertEquals(saved.config(), read.config());
        assertEquals(42, read.step());
        assertEquals(saved.latentStats(), read.latentStats());
        assertEquals(123, read.shuffle().cursor());
        assertArrayEquals(new long[] {4, 9, 0}, read.shuffle().slots());
        for (String name : saved.online().keySet()) {
            assertArrayEquals(saved.online().get(name), read.online().get(name), name);
            assertArrayEquals(saved.ema().get(name), read.ema().get(name), name);
            assertArrayEquals(saved.adamFirst().get(name), read.adamFirst().get(name), name);
            assertArrayEquals(saved.adamSecond().get(name), read.adamSecond().get(name), name);
        }
    }

    @Test
    void corruptionAndTruncationAreDetected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.ckpt");
        CheckpointFiles.write(file, state(1));
        byte[] bytes = Files.readAllBytes(file);
        byte[] flipped = bytes.clone();
        flipped[bytes.length - 20] ^= 0x01;
        Files.write(file, flipped);
        IOException corrupt = assertThrows(IOException.class, () -> CheckpointFiles.read(file));
        assertTrue(corrupt.getMessage().contains("CRC"), corrupt.getMessage());
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        IOException truncated = assertThrows(IOException.class, () -> CheckpointFiles.read(file));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
    }

    @Test
    void failedWriteLeavesThePreviousFileAndNoTemporary(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.ckpt");
        CheckpointFiles.write(file, state(1));
        byte[] before = Files.readAllBytes(file);
        Map<String, float[]> broken = filled(0);
        broken.put("net.learned_query", new float[1]); // wrong length: fails mid-write
        TrainerState bad =
                new TrainerState(
                        state(2).config(),
                        2,
                        state(2).latentStats(),
                        state(2).shuffle(),
                        filled(0),
                        broken,
                        filled(0),
                        filled(0));
        assertThrows(IllegalArgumentException.class, () -> CheckpointFiles.write(file, bad));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void checkpointerFindsTheNewestAndIgnoresTemporaries(@TempDir Path dir) throws IOException {
        CheckpointFiles.write(dir.resolve("step-000000000010.ckpt"), state(10));
        CheckpointFiles.write(dir.resolve("step-000000000200.ckpt"), state(200));
        Files.write(dir.resolve(".step-000000000300.ckpt.123.tmp"), new byte[] {1, 2, 3});
        assertEquals(dir.resolve("step-000000000200.ckpt"), Checkpointer.latest(dir).orElseThrow());
        assertEquals(200, CheckpointFiles.read(Checkpointer.latest(dir).orElseThrow()).step());
    }
}
