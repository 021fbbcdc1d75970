package io.github.clip2latent.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Kills a JVM (SIGKILL) while it rewrites checkpoints and checks no final-name file is partial. */
class CheckpointKillTest {

    /** About 13 MB per checkpoint, so a kill lands mid-write most of the time. */
    static final PriorConfig MEDIUM = new PriorConfig(96, 2, 2, 32, 100);

    static TrainerState state(long step) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : TrainablePrior.parameterShapes(MEDIUM).entrySet()) {
            float[] data = new float[(int) Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b)];
            Arrays.fill(data, step);
            weights.put(e.getKey(), data);
        }
        float[] ones = new float[MEDIUM.dim()];
        Arrays.fill(ones, 1f);
        return new TrainerState(
                TrainerConfig.reference(MEDIUM, 1L),
                step,
                new LatentStats(ones, ones),
                new ShuffleBuffer.State(10, 10, new long[] {0, 1}),
                weights,
                weights,
                weights,
                weights);
    }

    /** Child process: rewrites the same two names forever. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        for (long step = 1; ; step++) {
            CheckpointFiles.write(dir.resolve("step-" + (step % 2) + ".ckpt"), state(step));
            // Atomic, so the parent never reads a half-written number.
            io.github.clip2latent.files.AtomicFiles.writeString(
                    dir.resolve("progress"), Long.toString(step));
        }
    }

    @Test
    void killedWriterLeavesOnlyCompleteFilesUnderFinalNames(@TempDir Path dir) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child =
                new ProcessBuilder(
                                java.toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                CheckpointKillTest.class.getName(),
                                dir.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(dir.resolve("progress"))
                    || Long.parseLong(Files.readString(dir.resolve("progress"))) < 3) {
                assertTrue(child.isAlive(), "writer process died on its own");
                assertTrue(System.nanoTime() < deadline, "writer made no progress in 60 s");
                Thread.sleep(20);
            }
            Thread.sleep(37);
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
            child.waitFor(30, TimeUnit.SECONDS);
        }
        List<Path> finals;
        try (Stream<Path> files = Files.list(dir)) {
            finals =
                    files.filter(p -> p.getFileName().toString().matches("step-\\d\\.ckpt"))
                            .toList();
        }
        assertEquals(2, finals.size(), "both names were written before the kill");
        for (Path file : finals) {
            TrainerState read = CheckpointFiles.read(file); // throws on a partial or corrupt file
            float expected = read.step();
            assertEquals(expected, read.online().get("net.learned_query")[0]);
        }
    }
}
