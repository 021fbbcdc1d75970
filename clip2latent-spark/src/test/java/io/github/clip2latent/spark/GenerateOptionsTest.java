package io.github.clip2latent.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.train.dataset.DatasetSpec;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The command line mirrors {@code train generate}'s options and defaults. */
class GenerateOptionsTest {

    @Test
    void defaultsAreThoseOfTrainGenerate() {
        GenerateOptions o =
                GenerateOptions.parse("--bundle", "b", "--out", "hdfs:///d", "--samples", "50000");
        assertEquals(new DatasetSpec(50_000, 10_000, 0, 10_000, 0, 64), o.spec());
        assertEquals(0, o.threads());
        assertFalse(o.sharedBundle());
        GenerateOptions all =
                GenerateOptions.parse(
                        "--bundle=b", "--out", "s3a://x/y", "--samples", "9", "--shard-size", "4",
                        "--seed", "-3", "--stats-samples", "5", "--pre-resize", "224", "--batch",
                        "2", "--threads", "1", "--shared-bundle");
        assertEquals(new DatasetSpec(9, 4, -3, 5, 224, 2), all.spec());
        assertEquals(1, all.threads());
        assertTrue(all.sharedBundle());
    }

    @Test
    void badCommandLinesNameTheOptionAndExitWithTwo() {
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> GenerateOptions.parse("--bundle", "b", "--out", "o"))
                        .getMessage()
                        .contains("--samples"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        GenerateOptions.parse(
                                                "--bundle", "b", "--out", "o", "--samples", "x"))
                        .getMessage()
                        .contains("'x'"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        GenerateOptions.parse(
                                                "--bundle", "b", "--out", "o", "--samples", "1",
                                                "--pairs", "5"))
                        .getMessage()
                        .contains("--pairs"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        GenerateOptions.parse(
                                                "--bundle", "b", "--out", "o", "--samples", "10",
                                                "--shard-size", "0"))
                        .getMessage()
                        .contains("shardSize"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                SparkGenerate.run(
                        new String[] {"--out", "o"},
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(SparkGenerate.USAGE, code);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("usage:"), text);
        assertTrue(text.contains("--samples"), text);
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        assertEquals(
                SparkGenerate.OK,
                SparkGenerate.run(
                        new String[] {"--help"},
                        new PrintStream(help, true, StandardCharsets.UTF_8),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertTrue(help.toString(StandardCharsets.UTF_8).contains("--stats-samples=N"));
    }
}
