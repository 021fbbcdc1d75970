package io.github.clip2latent.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.examples.cli.Cli.Outcome;
import io.github.clip2latent.fixtures.RandomBundles;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The command line end to end on a tiny random bundle, and its help and error messages. */
class TrainCommandTest {

    @TempDir static Path dir;
    static Path bundle;
    static Path prompts;

    @BeforeAll
    static void writeBundle() throws IOException {
        bundle =
                RandomBundles.write(dir.resolve("bundle"), RandomBundles.Spec.tiny(), 1)
                        .directory();
        prompts = dir.resolve("prompts.txt");
        Files.writeString(
                prompts, "# validation prompts\na red circle\n\nan old man with glasses\n");
    }

    /** {@code clip2latent train ARGS...}. */
    static Outcome run(String... args) {
        String[] withTrain = new String[args.length + 1];
        withTrain[0] = "train";
        System.arraycopy(args, 0, withTrain, 1, args.length);
        return Cli.run(withTrain);
    }

    /** {@code train fit} with its four required options and {@code more}. */
    static Outcome fit(Path dataset, Path bundleDir, Path runDir, String steps, String... more) {
        String[] args = new String[9 + more.length];
        String[] required = {
            "fit",
            "--dataset",
            dataset.toString(),
            "--bundle",
            bundleDir.toString(),
            "--run",
            runDir.toString(),
            "--steps",
            steps
        };
        System.arraycopy(required, 0, args, 0, required.length);
        System.arraycopy(more, 0, args, required.length, more.length);
        return run(args);
    }

    @Test
    void helpDescribesEveryCommand() {
        Outcome main = run("--help");
        assertEquals(0, main.code());
        for (String command : new String[] {"generate", "fit", "export", "eval"}) {
            assertTrue(main.out().contains(command), main.out());
            Outcome help = run(command, "--help");
            assertEquals(0, help.code(), command);
            assertTrue(help.out().startsWith("Usage: clip2latent train " + command), help.out());
        }
        assertTrue(run("fit", "--help").out().contains("--validate-every=N"));
        Outcome none = run();
        assertEquals(2, none.code());
        assertTrue(none.err().contains("no train command given"), none.err());
        Outcome unknown = run("train");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("'train'"), unknown.err());
    }

    @Test
    void badPathsAndOptionsAreNamed() throws IOException {
        Path missing = dir.resolve("no-such-dataset");
        Outcome bad = fit(missing, bundle, dir.resolve("r"), "1");
        assertEquals(2, bad.code());
        assertTrue(
                bad.err().contains(missing.toAbsolutePath().toString())
                        && bad.err().contains("--dataset")
                        && bad.err().contains("not an existing folder"),
                bad.err());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        Outcome noManifest = fit(empty, bundle, dir.resolve("r"), "1");
        assertEquals(1, noManifest.code());
        assertTrue(
                noManifest.err().contains(empty.toString())
                        && noManifest.err().contains("dataset.json is missing"),
                noManifest.err());

        Outcome steps = fit(empty, bundle, dir.resolve("r"), "ten");
        assertEquals(2, steps.code());
        assertTrue(
                steps.err().contains("Invalid value for option '--steps': 'ten' is not a long"),
                steps.err());

        Path data = dir.resolve("data-for-bad-options");
        Files.createDirectories(data);
        Outcome dropout =
                run(
                        "generate",
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        data.toString(),
                        "--samples",
                        "1");
        assertEquals(2, dropout.code());
        assertTrue(dropout.err().contains("samples must be >= 2, got 1"), dropout.err());

        Outcome shard =
                run(
                        "generate",
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        dir.resolve("g").toString(),
                        "--samples",
                        "10",
                        "--shard",
                        "3/2");
        assertEquals(2, shard.code());
        assertTrue(shard.err().contains("--shard") && shard.err().contains("3/2"), shard.err());

        Outcome both =
                run(
                        "export",
                        "--run",
                        dir.toString(),
                        "--checkpoint",
                        prompts.toString(),
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        dir.resolve("x").toString());
        assertEquals(2, both.code());
        assertTrue(
                both.err().contains("--run") && both.err().contains("mutually exclusive"),
                both.err());
    }

    @Test
    void datasetOfAnotherBundleIsRejected() throws IOException {
        Path otherBundle =
                RandomBundles.write(dir.resolve("other-bundle"), RandomBundles.Spec.tiny(), 2)
                        .directory();
        Path data = dir.resolve("other-data");
        assertEquals(
                0,
                run(
                                "generate",
                                "--bundle",
                                otherBundle.toString(),
                                "--out",
                                data.toString(),
                                "--samples",
                                "40",
                                "--shard-size",
                                "20")
                        .code());
        Outcome mixed = fit(data, bundle, dir.resolve("mixed-run"), "1", "--model", "tiny");
        assertEquals(1, mixed.code());
        assertTrue(
                mixed.err().contains(data.toString())
                        && mixed.err().contains("'random-2'")
                        && mixed.err().contains("'random-1'"),
                mixed.err());
        assertTrue(
                !Files.exists(dir.resolve("mixed-run").resolve("checkpoints")), "nothing trained");

        // Shards of another spec cannot be added to an existing dataset folder.
        Outcome spec =
                run(
                        "generate",
                        "--bundle",
                        otherBundle.toString(),
                        "--out",
                        data.toString(),
                        "--samples",
                        "40",
                        "--shard-size",
                        "10");
        assertEquals(1, spec.code());
        assertTrue(
                spec.err().contains(data.toString())
                        && spec.err().contains("refusing to mix shards"),
                spec.err());
    }

    @Test
    void generateFitExportEval() throws IOException {
        Path data = dir.resolve("data");
        Outcome generate =
                run(
                        "generate",
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        data.toString(),
                        "--samples",
                        "64",
                        "--shard-size",
                        "32",
                        "--seed",
                        "3");
        assertEquals(0, generate.code(), generate.err());
        assertTrue(generate.out().contains("2 shard(s) written"), generate.out());

        Path runDir = dir.resolve("run");
        Outcome fit =
                fit(
                        data,
                        bundle,
                        runDir,
                        "4",
                        "--model",
                        "tiny",
                        "--batch",
                        "8",
                        "--holdout",
                        "8",
                        "--validate-every",
                        "2",
                        "--checkpoint-every",
                        "2",
                        "--log-every",
                        "2",
                        "--ema-start",
                        "0",
                        "--lr",
                        "1e-3",
                        "--prompts",
                        prompts.toString(),
                        "--shuffle-buffer",
                        "16");
        assertEquals(0, fit.code(), fit.err());
        assertTrue(fit.out().contains("fit: step 4/4") && fit.out().contains("ETA"), fit.out());
        assertTrue(
                fit.out().contains("fit: done, steps 0 -> 4") && fit.out().contains("CLIP_SCORE"),
                fit.out());
        assertTrue(Files.isRegularFile(runDir.resolve("best.ckpt")));

        Outcome again =
                fit(data, bundle, runDir, "4", "--model", "tiny", "--batch", "8", "--holdout", "8");
        assertEquals(0, again.code(), again.err());
        assertTrue(
                again.out().contains("resuming from") && again.out().contains("steps 4 -> 4"),
                again.out());

        Path out = dir.resolve("exported");
        Outcome export =
                run(
                        "export",
                        "--run",
                        runDir.toString(),
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        out.toString());
        assertEquals(0, export.code(), export.err());
        ModelBundle exported = ModelBundle.open(out);
        assertTrue(
                exported.manifest().id().startsWith("random-1-prior-"), exported.manifest().id());
        assertTrue(
                exported.manifest().provenance().get("prior.train.dataset").contains("seed 3"),
                exported.manifest().provenance().toString());
        // No absolute path of the building machine (here a temporary folder) in the bundle.
        String where = dir.toAbsolutePath().toString();
        try (var files = Files.walk(out)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(where), file + " mentions " + where);
            }
        }

        Outcome occupied =
                run(
                        "export",
                        "--run",
                        runDir.toString(),
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        out.toString());
        assertEquals(1, occupied.code());
        assertTrue(occupied.err().contains(out.toString()), occupied.err());

        Outcome eval =
                run(
                        "eval",
                        "--bundle",
                        out.toString(),
                        "--prompts",
                        prompts.toString(),
                        "--samples",
                        "2");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("2 prompts x 2 samples, mean CLIP score"), eval.out());
    }
}
