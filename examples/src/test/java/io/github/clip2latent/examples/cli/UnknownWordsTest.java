package io.github.clip2latent.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip2latent.examples.EmbeddedBundle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded world names words it never read on standard error and still draws the image; a
 * prompt of known words draws no warning.
 */
class UnknownWordsTest {

    @TempDir Path dir;

    @Test
    void untrainedWordsAreNamedOnStandardErrorAndTheImageIsDrawn() {
        Path bundle = EmbeddedBundle.path();
        assumeTrue(Files.isDirectory(bundle), "no embedded bundle");
        Path out = dir.resolve("hexagon.png");
        Cli.Outcome unknown =
                Cli.run(
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        out.toString(),
                        "--seed",
                        "1",
                        "a red hexagon in the centre");
        assertEquals(0, unknown.code(), unknown.err());
        assertTrue(Files.isRegularFile(out));
        assertTrue(
                unknown.err().contains("warning:") && unknown.err().contains("'hexagon'"),
                unknown.err());
        assertFalse(unknown.err().contains("'centre'"), unknown.err());
        Cli.Outcome known =
                Cli.run(
                        "--bundle",
                        bundle.toString(),
                        "--out",
                        dir.resolve("circle.png").toString(),
                        "--seed",
                        "1",
                        "a small red circle in the centre");
        assertEquals(0, known.code(), known.err());
        assertFalse(known.err().contains("warning"), known.err());
    }
}
