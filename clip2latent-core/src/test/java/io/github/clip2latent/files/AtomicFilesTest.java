package io.github.clip2latent.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

class AtomicFilesTest {

    @TempDir Path dir;

    @Test
    void failingWriteLeavesNothingUnderTheFinalNameAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("model.onnx");
        IOException thrown =
                assertThrows(
                        IOException.class,
                        () ->
                                AtomicFiles.write(
                                        target,
                                        out -> {
                                            out.write(
                                                    new byte[100_000]); // more than the buffer, so
                                            // some bytes reach the temp
                                            // file
                                            throw new IOException("disk full (simulated)");
                                        }));
        assertTrue(
                thrown.getMessage().contains("model.onnx")
                        && thrown.getMessage().contains("disk full (simulated)"),
                thrown.getMessage());
        assertFalse(Files.exists(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "the temporary file must be removed");
        }
    }

    @Test
    void aFolderThatCannotBeMadeIsReportedWithTheRequestedFile() throws IOException {
        Path blocker = Files.writeString(dir.resolve("a-file"), "x");
        Path target = blocker.resolve("out.png");
        IOException thrown =
                assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "png"));
        assertTrue(
                thrown.getMessage().startsWith("cannot write " + target + ": "),
                thrown.getMessage());
        assertFalse(thrown.getMessage().contains(".tmp"), thrown.getMessage());
    }

    @Test
    void aFailedRenameNamesTheRequestedFileNotTheTemporaryOne() throws IOException {
        // A folder under the target's name: the final rename fails after the temp file was written.
        Path target = Files.createDirectories(dir.resolve("taken.png"));
        Files.writeString(target.resolve("inside"), "keeps the folder non-empty");
        IOException thrown =
                assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "png"));
        assertTrue(
                thrown.getMessage().startsWith("cannot write " + target + ": "),
                thrown.getMessage());
        assertFalse(thrown.getMessage().contains(".tmp"), thrown.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the folder; the temporary file is removed");
        }
    }

    @Test
    void failingWriteKeepsThePreviousContent() throws IOException {
        Path target = dir.resolve("model.onnx");
        AtomicFiles.write(target, new byte[] {1, 2, 3});
        assertThrows(
                IllegalStateException.class,
                () ->
                        AtomicFiles.write(
                                target,
                                out -> {
                                    out.write(new byte[] {9, 9});
                                    throw new IllegalStateException("bug in the writer");
                                }));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    }

    @Test
    void successfulWriteReplacesAndCreatesParents() throws IOException {
        Path target = dir.resolve("a/b/model.onnx");
        AtomicFiles.write(target, new byte[] {1});
        AtomicFiles.write(target, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(target));
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void newFilesAreReadableByOthersAndReplacedFilesKeepTheirPermissions() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.getFileStore(dir)
                        .supportsFileAttributeView(
                                java.nio.file.attribute.PosixFileAttributeView.class));
        Path target = dir.resolve("image.png");
        AtomicFiles.write(target, new byte[] {1});
        assertEquals(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"),
                Files.getPosixFilePermissions(target));
        Files.setPosixFilePermissions(
                target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
        AtomicFiles.write(target, new byte[] {2});
        assertEquals(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"),
                Files.getPosixFilePermissions(target));
    }
}
