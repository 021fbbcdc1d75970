package io.github.clip2latent.examples.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.clip2latent.bundle.ModelBundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An import killed with SIGKILL while it writes (a child JVM running {@code clip2latent import}) leaves
 * nothing under the output name, and a new import to the same name then succeeds.
 */
class KilledImportTest {

    @TempDir Path dir;

    @Test
    void aKilledImportLeavesNothingUnderTheOutputName() throws Exception {
        Path in = dir.resolve("in");
        Path prior = ImportFixtures.copy("prior/prior.ckpt", in);
        Path sg2 = ImportFixtures.copy("stylegan2/network-snapshot-025000.pkl", in);
        Path clip = ImportFixtures.copy("clip/clip-tiny-vit.pt", in);
        Path parent = Files.createDirectories(dir.resolve("out"));
        Path out = parent.resolve("bundle");
        List<String> command =
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        io.github.clip2latent.examples.cli.Clip2LatentCommand.class.getName(),
                        "import",
                        "--prior",
                        prior.toString(),
                        "--stylegan",
                        sg2.toString(),
                        "--clip",
                        clip.toString(),
                        "--out",
                        out.toString());
        Process child =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("child.log").toFile())
                        .start();
        String killedDuring = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (killedDuring == null && child.isAlive() && System.nanoTime() < deadline) {
            killedDuring = writingStep(parent);
            if (killedDuring == null) {
                Thread.sleep(1);
            }
        }
        if (killedDuring == null) {
            child.destroyForcibly();
            fail(
                    "the import ended (exit "
                            + (child.isAlive() ? "none: timed out" : child.exitValue())
                            + ") before it could be killed while writing; log: "
                            + Files.readString(dir.resolve("child.log")));
        }
        child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no finally blocks
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child died");
        assertEquals(137, child.exitValue(), "killed by SIGKILL (128 + 9)");
        System.out.println("killed while: " + killedDuring);

        assertFalse(Files.exists(out), "nothing under the output name after a kill");
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.toList()) {
                assertTrue(
                        p.getFileName().toString().startsWith(".bundle."),
                        "only hidden work folders remain: " + p);
            }
        }

        ModelBundle again =
                BundleImporter.importBundle(
                        ImportRequest.builder().prior(prior).stylegan(sg2).clip(clip).output(out).build(),
                        ImportProgress.silent());
        assertEquals(out.toAbsolutePath().normalize(), again.directory());
    }

    /** What the child is writing now, or null while it is still reading. */
    private static String writingStep(Path parent) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".bundle.partial-")) {
                    return "BundleWriter staging " + name;
                }
                if (name.startsWith(".bundle.import-")) {
                    try (Stream<Path> files = Files.list(p)) {
                        List<String> graphs =
                                files.map(f -> f.getFileName().toString())
                                        .filter(f -> f.contains(".onnx"))
                                        .toList();
                        if (!graphs.isEmpty()) {
                            return "writing graphs " + graphs;
                        }
                    } catch (java.nio.file.NoSuchFileException gone) {
                        return null;
                    }
                }
            }
        }
        return null;
    }
}
