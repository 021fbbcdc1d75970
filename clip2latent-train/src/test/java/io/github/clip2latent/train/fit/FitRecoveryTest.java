package io.github.clip2latent.train.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.train.checkpoint.CheckpointFiles;
import io.github.clip2latent.train.dataset.DatasetGenerator;
import io.github.clip2latent.train.dataset.DatasetSpec;
import io.github.clip2latent.train.dataset.ShardSelection;
import io.github.clip2latent.train.validate.SelectionScore;
import io.github.clip2latent.train.validate.ValidationOptions;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 14 item 2: a kill between a periodic checkpoint and its validation left {@code best.ckpt}
 * at step 0, and {@code train export} shipped the untrained prior. Here the "kill" is an exception
 * thrown from the progress listener right after the line announcing a saved checkpoint: nothing
 * after that point runs, as after SIGKILL (the real SIGKILL case is {@code FitKillTest} and {@code
 * benchmarks/fault-injection.sh}).
 */
class FitRecoveryTest {

    @TempDir static Path dir;
    static ModelBundle bundle;
    static Path data;
    static Path clean;
    static FitResult reference;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void dataset() throws IOException {
        bundle = RandomBundles.write(dir.resolve("bundle"), RandomBundles.Spec.tiny(), 1);
        data = dir.resolve("data");
        try (DatasetGenerator generator = DatasetGenerator.open(bundle, RuntimeOptions.cpu())) {
            generator.generate(data, DatasetSpec.of(64, 32, 3), ShardSelection.ALL, line -> {});
        }
        clean = dir.resolve("clean");
        reference = fit(clean, new ArrayList<>(), null);
    }

    /** Checkpoint and validate every 4 steps, 4 steps in all: the failing schedule. */
    static FitOptions options() {
        return new FitOptions(
                4,
                4,
                3,
                4,
                8,
                1,
                ValidationOptions.defaults(List.of()).withPairs(8, 4),
                SelectionScore.NEGATIVE_LOSS);
    }

    private static final class Killed extends RuntimeException {
        Killed(String line) {
            super(line);
        }
    }

    private static FitResult fit(Path run, List<String> lines, String killAfter)
            throws IOException {
        return TrainingRun.fit(
                data,
                bundle,
                run,
                FitKillTest.config(),
                options(),
                RuntimeOptions.cpu(),
                line -> {
                    lines.add(line);
                    if (killAfter != null && line.startsWith(killAfter)) {
                        throw new Killed(line);
                    }
                });
    }

    private static long bestStep(Path run) throws IOException {
        return JSON.readTree(run.resolve(TrainingRun.BEST_INFO).toFile()).path("step").asLong();
    }

    @Test
    void aKillRightAfterTheCheckpointKeepsTheBestOfAnUninterruptedRun() throws IOException {
        assertEquals(4, reference.bestStep(), "the trained step beats step 0 on loss");

        Path killed = dir.resolve("killed");
        List<String> lines = new ArrayList<>();
        assertThrows(Killed.class, () -> fit(killed, lines, "fit: saved"));
        FitResult resumed = fit(killed, lines, null);

        assertEquals(4, resumed.endStep());
        assertEquals(bestStep(clean), bestStep(killed), String.join("\n", lines));
        assertEquals(4, CheckpointFiles.read(killed.resolve(TrainingRun.BEST_FILE)).step());
        assertArrayEquals(
                Files.readAllBytes(clean.resolve(TrainingRun.BEST_FILE)),
                Files.readAllBytes(killed.resolve(TrainingRun.BEST_FILE)));
        assertEquals(killed.resolve(TrainingRun.BEST_FILE), TrainingRun.exportCheckpoint(killed));
    }

    @Test
    void bestCheckpointAndRecordChangeTogether() throws IOException {
        // A kill after best.ckpt.next and best.json are written but before the rename: the next
        // start finishes the commit. A kill before best.json: the next start rolls it back.
        Path run = Files.createDirectories(dir.resolve("pair"));
        for (String name : new String[] {TrainingRun.BEST_FILE, TrainingRun.BEST_INFO}) {
            Files.copy(clean.resolve(name), run.resolve(name));
        }
        Path best = run.resolve(TrainingRun.BEST_FILE);
        Path next = run.resolve(TrainingRun.BEST_NEXT);
        Files.move(best, next);
        assertEquals(best, TrainingRun.exportCheckpoint(run));
        assertFalse(Files.exists(next));
        assertEquals(4, CheckpointFiles.read(best).step());

        Files.write(next, new byte[] {1, 2, 3}); // a partial next checkpoint, never committed
        byte[] before = Files.readAllBytes(best);
        TrainingRun.recoverBest(run);
        assertFalse(Files.exists(next));
        assertArrayEquals(before, Files.readAllBytes(best));
    }

    @Test
    void aCorruptNewestCheckpointFallsBackAndOrphansAreRemoved() throws IOException {
        Path run = dir.resolve("corrupt");
        FitOptions every2 =
                new FitOptions(
                        4,
                        2,
                        3,
                        1000,
                        8,
                        1,
                        ValidationOptions.defaults(List.of()).withPairs(8, 4),
                        SelectionScore.NEGATIVE_LOSS);
        TrainingRun.fit(
                data, bundle, run, FitKillTest.config(), every2, RuntimeOptions.cpu(), l -> {});
        Path checkpoints = run.resolve(TrainingRun.CHECKPOINTS);
        Path newest = checkpoints.resolve("step-000000000004.ckpt");
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(newest, bytes);
        Path orphan = Files.createFile(checkpoints.resolve(".step-000000000006.ckpt.123.tmp"));
        Path runOrphan = Files.createFile(run.resolve(".best.json.456.tmp"));

        List<String> lines = new ArrayList<>();
        FitResult resumed =
                TrainingRun.fit(
                        data,
                        bundle,
                        run,
                        FitKillTest.config(),
                        new FitOptions(
                                5,
                                2,
                                3,
                                1000,
                                8,
                                1,
                                ValidationOptions.defaults(List.of()).withPairs(8, 4),
                                SelectionScore.NEGATIVE_LOSS),
                        RuntimeOptions.cpu(),
                        lines::add);
        String log = String.join("\n", lines);
        assertEquals(2, resumed.startStep(), log);
        assertTrue(log.contains("cannot read " + newest), log);
        assertTrue(log.contains("is corrupt"), log);
        assertFalse(Files.exists(orphan), log);
        assertFalse(Files.exists(runOrphan), log);
        assertTrue(log.contains("removed " + orphan), log);
    }
}
