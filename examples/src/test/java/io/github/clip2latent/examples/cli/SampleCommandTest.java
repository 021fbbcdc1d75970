package io.github.clip2latent.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.examples.cli.Cli.Outcome;
import io.github.clip2latent.fixtures.RandomBundles;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/** {@code clip2latent sample} end to end on a tiny random bundle. */
class SampleCommandTest {

    @TempDir static Path dir;
    static Path bundle;

    @BeforeAll
    static void writeBundle() throws IOException {
        bundle =
                RandomBundles.write(dir.resolve("bundle"), RandomBundles.Spec.tiny(), 9)
                        .directory();
    }

    @Test
    void writesPngsAndAContactSheetForAPrompt() throws Exception {
        Path out = dir.resolve("img.png");
        Path sheet = dir.resolve("sheet.png");
        // No command name: a prompt starts the default command, sample.
        Outcome run =
                Cli.run(
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        out.toString(),
                        "--candidates",
                        "4",
                        "--seed",
                        "3",
                        "--guidance",
                        "3",
                        "--truncate",
                        "0.7",
                        "--steps",
                        "6",
                        "--sampler",
                        "ddim",
                        "--negative",
                        "blue",
                        "--style-mix",
                        "2:4:5",
                        "--contact-sheet",
                        sheet.toString(),
                        "--provider",
                        "cpu",
                        "a",
                        "red",
                        "circle");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("wrote " + out), run.out());
        assertTrue(run.out().contains("4 candidates"), run.out());
        BufferedImage image = ImageIO.read(out.toFile());
        assertEquals(16, image.getWidth());
        BufferedImage grid = ImageIO.read(sheet.toFile());
        assertTrue(grid.getWidth() >= 2 * 16 && grid.getHeight() >= 2 * 16, "a 2 x 2 grid");
        assertEquals("", run.err(), "nothing on standard error for a successful run");
    }

    @Test
    void thePromptMayComeFirstAndTheCommandNameIsOptional() throws Exception {
        Path a = dir.resolve("a.png");
        Path b = dir.resolve("b.png");
        Outcome implicit =
                Cli.run(
                        "a red circle",
                        "--bundle",
                        bundle.toString(),
                        "--seed",
                        "5",
                        "--out",
                        a.toString());
        Outcome explicit =
                Cli.run(
                        "sample",
                        "--seed",
                        "5",
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        b.toString(),
                        "a red circle");
        assertEquals(0, implicit.code(), implicit.err());
        assertEquals(0, explicit.code(), explicit.err());
        assertArrayEquals(
                ImageIO.read(a.toFile()).getRGB(0, 0, 16, 16, null, 0, 16),
                ImageIO.read(b.toFile()).getRGB(0, 0, 16, 16, null, 0, 16),
                "same seed, same image, with or without the command name");
    }

    @Test
    void usageErrorsNameTheBadArgument() {
        Outcome unknown = Cli.run("--color", "red", "x");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("Unknown option: '--color'"), unknown.err());
        Outcome bad = Cli.run("--candidates", "many", "x");
        assertEquals(2, bad.code());
        assertTrue(
                bad.err().contains("Invalid value for option '--candidates': 'many' is not an int"),
                bad.err());
        Outcome none = Cli.run("--seed", "1");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("Missing required parameter: 'PROMPT'"), none.err());
        Outcome both = Cli.run("--steps", "4", "--skip", "250", "x");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        Outcome mix = Cli.run("--style-mix", "4:2", "x");
        assertEquals(2, mix.code());
        assertTrue(mix.err().contains("--style-mix") && mix.err().contains("4:2"), mix.err());
        Outcome help = Cli.run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("sample") && help.out().contains("train"), help.out());
    }

    @Test
    void valuesAreCheckedBeforeTheBundleIsLoaded() throws Exception {
        Path missing = dir.resolve("nowhere");
        Outcome noBundle = Cli.run("--bundle", missing.toString(), "a man");
        assertEquals(2, noBundle.code());
        assertTrue(
                noBundle.err().contains(missing.toString())
                        && noBundle.err().contains("not an existing folder"),
                noBundle.err());
        // A bad value with a missing bundle: the value is reported, nothing was loaded.
        Outcome psi = Cli.run("--bundle", missing.toString(), "--truncate", "1.5", "a man");
        assertEquals(2, psi.code());
        assertTrue(psi.err().contains("truncate psi must be in [0, 1], got 1.5"), psi.err());
        assertFalse(psi.out().contains("loading bundle"), psi.out());
        Outcome samples = Cli.run("--bundle", missing.toString(), "--samples", "0", "a man");
        assertEquals(2, samples.code());
        assertTrue(samples.err().contains("samples must be >= 1, got 0"), samples.err());
        // A bundle that exists but is broken is a failure while running: exit code 1.
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Outcome corrupt = Cli.run("--bundle", broken.toString(), "a man");
        assertEquals(1, corrupt.code(), corrupt.err());
        assertTrue(corrupt.err().contains(broken.toString()), corrupt.err());
    }

    @Test
    void aTooLongPromptIsTruncatedWithAWarningOrFailsOnRequest() throws Exception {
        String longPrompt = "a red circle on the left ".repeat(30).strip();
        Path out = dir.resolve("long.png");
        Outcome refused =
                Cli.run(
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        out.toString(),
                        "--prompt-truncation",
                        "error",
                        longPrompt);
        assertEquals(2, refused.code(), refused.err());
        assertTrue(
                refused.err().contains("prompt is too long")
                        && refused.err().contains("TruncationPolicy.TRUNCATE"),
                refused.err());
        assertFalse(Files.exists(out));
        Outcome truncated =
                Cli.run(
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        out.toString(),
                        longPrompt);
        assertEquals(0, truncated.code(), truncated.err());
        assertTrue(truncated.err().contains("warning: prompt longer than"), truncated.err());
        assertTrue(Files.isRegularFile(out));
    }

    @Test
    void aFailedWriteNamesTheRequestedFile() throws Exception {
        Path blocker = Files.writeString(dir.resolve("not-a-folder"), "x");
        Path out = blocker.resolve("img.png");
        Outcome failed = Cli.run("--bundle", bundle.toString(), "--out", out.toString(), "a man");
        assertEquals(1, failed.code(), failed.err());
        assertTrue(failed.err().contains("cannot write " + out), failed.err());
        assertFalse(failed.err().contains(".tmp"), failed.err());
    }
}
