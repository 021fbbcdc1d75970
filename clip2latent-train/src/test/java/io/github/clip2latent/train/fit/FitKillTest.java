package io.github.clip2latent.train.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.train.checkpoint.CheckpointFiles;
import io.github.clip2latent.train.checkpoint.Checkpointer;
import io.github.clip2latent.train.dataset.DatasetGenerator;
import io.github.clip2latent.train.dataset.DatasetSpec;
import io.github.clip2latent.train.dataset.ShardSelection;
import io.github.clip2latent.train.loop.TrainerConfig;
import io.github.clip2latent.train.optim.AdamWConfig;
import io.github.clip2latent.train.optim.EmaConfig;
import io.github.clip2latent.train.validate.SelectionScore;
import io.github.clip2latent.train.validate.ValidationOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Kills (SIGKILL) a JVM running the fit driver, which checkpoints every step, then checks that
 * every checkpoint under a final name is complete and that a new fit resumes from the newest one.
 * The mid-write case of the file format itself is {@code CheckpointKillTest}'s (13 MB files); this
 * one covers the driver around it.
 */
class FitKillTest {

    static TrainerConfig config() {
        return new TrainerConfig(
                new PriorConfig(16, 2, 2, 8, 1000),
                new AdamWConfig(1e-3, 0.9, 0.999, 1e-6, 0.01),
                new EmaConfig(0.9, 0),
                8,
                0.2,
                1.0,
                3,
                16,
                10_000);
    }

    static FitOptions options(long steps) {
        return new FitOptions(
                steps,
                1,
                3,
                1_000_000,
                8,
                10,
                ValidationOptions.defaults(List.of()).withPairs(8, 4),
                SelectionScore.NEGATIVE_LOSS);
    }

    /**
     * Child process: fits "forever", checkpointing every step. Arguments: dataset, bundle, run
     * folder.
     */
    public static void main(String[] args) throws IOException {
        TrainingRun.fit(
                Path.of(args[0]),
                ModelBundle.open(Path.of(args[1])),
                Path.of(args[2]),
                config(),
                options(1_000_000),
                RuntimeOptions.cpu(),
                line -> {});
    }

    @Test
    void killedFitLeavesCompleteCheckpointsAndResumes(@TempDir Path dir) throws Exception {
        ModelBundle bundle =
                RandomBundles.write(dir.resolve("bundle"), RandomBundles.Spec.tiny(), 1);
        Path data = dir.resolve("data");
        try (DatasetGenerator generator = DatasetGenerator.open(bundle, RuntimeOptions.cpu())) {
            generator.generate(data, DatasetSpec.of(64, 32, 3), ShardSelection.ALL, line -> {});
        }
        Path run = dir.resolve("run");
        Path checkpoints = run.resolve(TrainingRun.CHECKPOINTS);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command =
                new ArrayList<>(
                        List.of(java.toString(), "-cp", System.getProperty("java.class.path")));
        for (String property : new String[] {"org.bytedeco.javacpp.cachedir", "java.io.tmpdir"}) {
            if (System.getProperty(property) != null) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        command.addAll(
                List.of(
                        FitKillTest.class.getName(),
                        data.toString(),
                        bundle.directory().toString(),
                        run.toString()));
        Path log = dir.resolve("child.log");
        Process child =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (Checkpointer.latest(checkpoints).map(FitKillTest::step).orElse(0L) < 5) {
                if (!child.isAlive()) {
                    String output = Files.readString(log);
                    throw new AssertionError(
                            "fit process died on its own with exit code "
                                    + child.exitValue()
                                    + ": "
                                    + output.substring(Math.max(0, output.length() - 3000)));
                }
                assertTrue(System.nanoTime() < deadline, "fit made no 5 steps in 120 s");
                Thread.sleep(20);
            }
            Thread.sleep(13);
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
            child.waitFor(30, TimeUnit.SECONDS);
        }

        List<Path> finals;
        try (Stream<Path> files = Files.list(checkpoints)) {
            finals =
                    files.filter(p -> p.getFileName().toString().endsWith(".ckpt"))
                            .sorted()
                            .toList();
        }
        assertTrue(
                !finals.isEmpty() && finals.size() <= 4,
                "periodic checkpoints pruned to keep 3 (+1 mid-prune): " + finals);
        for (Path file : finals) {
            assertEquals(
                    step(file),
                    CheckpointFiles.read(file).step(),
                    file.toString()); // throws if partial
        }
        long newest = step(finals.get(finals.size() - 1));
        List<String> lines = new ArrayList<>();
        FitResult resumed =
                TrainingRun.fit(
                        data,
                        bundle,
                        run,
                        config(),
                        options(newest + 2),
                        RuntimeOptions.cpu(),
                        lines::add);
        assertEquals(newest, resumed.startStep(), String.join("\n", lines));
        assertEquals(newest + 2, resumed.endStep());
    }

    private static long step(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        return Long.parseLong(name.substring("step-".length(), name.length() - ".ckpt".length()));
    }
}
