package io.github.clip2latent.convert.read;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad file is refused with a message naming the file, the entry and the problem. */
class BadFilesTest {

    @TempDir Path dir;

    private static void assertMessage(ConversionException e, Path file, String... parts) {
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "names the file: " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "contains '" + p + "': " + m);
        }
    }

    private Path zipWithPickle(String name, byte[] pickle) throws IOException {
        Map<String, byte[]> e = TestZips.entries();
        e.put("archive/data.pkl", pickle);
        e.put("archive/version", "3\n".getBytes());
        return TestZips.write(dir.resolve(name), e);
    }

    @Test
    void osSystemIsRefusedAndNotRun() throws IOException {
        Path marker = dir.resolve("pwned");
        byte[] pickle =
                new TestZips.Pickle()
                        .global("posix", "system")
                        .mark()
                        .str("touch " + marker)
                        .tuple()
                        .reduce()
                        .stop();
        Path file = zipWithPickle("evil.pt", pickle);
        ConversionException e =
                assertThrows(ConversionException.class, () -> TorchZipReader.readObject(file));
        assertMessage(e, file, "archive/data.pkl", "refused pickle global 'posix.system'");
        assertFalse(Files.exists(marker), "the command must not have run");
        Path file2 = zipWithPickle("evil2.pt", new TestZips.Pickle().global("os", "system").mark().str("touch " + marker).tuple().reduce().stop());
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readStateDict(file2)),
                file2,
                "refused pickle global 'os.system'");
        assertFalse(Files.exists(marker));
    }

    @Test
    void builtinsEvalIsRefused() throws IOException {
        byte[] pickle =
                new TestZips.Pickle()
                        .global("builtins", "eval")
                        .mark()
                        .str("__import__('os').system('true')")
                        .tuple()
                        .reduce()
                        .stop();
        Path file = zipWithPickle("eval.pt", pickle);
        assertMessage(
                assertThrows(ConversionException.class, () -> TorchZipReader.readObject(file)),
                file,
                "archive/data.pkl",
                "refused pickle global 'builtins.eval'");
    }
}
