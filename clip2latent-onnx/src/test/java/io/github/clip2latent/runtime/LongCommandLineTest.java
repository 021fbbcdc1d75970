package io.github.clip2latent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.fixtures.RandomBundles;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ONNX Runtime 1.29 overflowed a default thread stack while creating its environment when the
 * process command line was long (SIGSEGV, exit 139); the library creates it on a large stack
 * instead.
 */
class LongCommandLineTest {

    /** Child process: loads a bundle and samples once. */
    public static void main(String[] args) throws Exception {
        try (Clip2Latent model = Clip2Latent.load(Path.of(args[0]), RuntimeOptions.defaults())) {
            System.out.println("images " + model.prompt("a red circle").seed(1).sample().count());
        }
    }

    @Test
    void aLongCommandLineDoesNotCrashTheJvm(@TempDir Path dir) throws Exception {
        Path bundle =
                RandomBundles.write(dir.resolve("b"), RandomBundles.Spec.tiny(), 1).directory();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String padding = "x".repeat(20_000);
        Process child =
                new ProcessBuilder(
                                List.of(
                                        java,
                                        "-Dpadding=" + padding,
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        LongCommandLineTest.class.getName(),
                                        bundle.toString()))
                        .redirectErrorStream(true)
                        .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child did not finish");
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("images 1"), output);
    }
}
