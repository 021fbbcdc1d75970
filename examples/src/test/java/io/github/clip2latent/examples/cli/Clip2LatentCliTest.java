package io.github.clip2latent.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.fixtures.RandomBundles;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import javax.imageio.ImageIO;

class Clip2LatentCliTest {

    @TempDir Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                Clip2LatentCli.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void writesPngsAndAContactSheetForAPrompt() throws Exception {
        Path bundle =
                RandomBundles.write(dir.resolve("bundle"), RandomBundles.Spec.tiny(), 9)
                        .directory();
        Path out = dir.resolve("img.png");
        Path sheet = dir.resolve("sheet.png");
        Run run =
                run(
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
    }

    @Test
    void usageErrorsNameTheBadArgument() {
        Run unknown = run("--color", "red", "x");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown option --color"), unknown.err());
        Run bad = run("--candidates", "many", "x");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--candidates needs a whole number, got 'many'"), bad.err());
        Run none = run("--seed", "1");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("no prompt"), none.err());
        Run help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--contact-sheet"), help.out());
    }

    @Test
    void badBundleAndBadValuesAreReported() throws Exception {
        Run missing = run("--bundle", dir.resolve("nowhere").toString(), "a man");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nowhere"), missing.err());
        Path bundle =
                RandomBundles.write(dir.resolve("b2"), RandomBundles.Spec.tiny(), 9).directory();
        Run psi = run("--bundle", bundle.toString(), "--truncate", "1.5", "a man");
        assertEquals(2, psi.code());
        assertTrue(psi.err().contains("1.5"), psi.err());
    }
}
