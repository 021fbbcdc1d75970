package io.github.clip2latent.files;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * Writes files so that readers see either the old file or the complete new one, never a partial
 * one: the content goes to a temporary file in the same folder, is forced to disk, and is then
 * renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE}.
 */
public final class AtomicFiles {

    /** Writes the content of a file to a stream. */
    @FunctionalInterface
    public interface ContentWriter {
        /**
         * Writes the whole content.
         *
         * @param out the stream to write to; the caller closes it
         * @throws IOException when writing fails; the target is then left untouched
         */
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Writes {@code target} atomically, creating its parent folder. On any failure the temporary
     * file is deleted and the target keeps its previous state (absent or the old content).
     *
     * @throws IOException naming the target, with the cause kept
     */
    public static void write(Path target, ContentWriter writer) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(writer, "writer");
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temp;
        try {
            Files.createDirectories(dir);
            // Same folder as the target, so the final rename never crosses a file system.
            temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw failure(target, e);
        }
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                    OutputStream out =
                            new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                writer.writeTo(out);
                out.flush();
                // Without this a crash after the rename could leave a renamed but empty file.
                channel.force(true);
            }
            keepOrDefaultPermissions(temp, absolute);
            move(temp, absolute);
            moved = true;
        } catch (IOException e) {
            throw failure(target, e);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * The error of a failed write: it names the requested file and the reason, never only the
     * hidden temporary file, whose name file-system exceptions carry as their message.
     */
    private static IOException failure(Path target, IOException e) {
        String reason;
        if (e instanceof FileSystemException fs) {
            String kind =
                    e instanceof AccessDeniedException
                            ? "permission denied"
                            : e instanceof NoSuchFileException
                                    ? "no such folder"
                                    : e instanceof FileAlreadyExistsException
                                            ? "a file is in the way"
                                            : e.getClass().getSimpleName();
            String where =
                    fs.getFile() == null || fs.getFile().contains(".tmp")
                            ? ""
                            : " (" + fs.getFile() + ")";
            reason = (fs.getReason() != null ? fs.getReason() : kind) + where;
        } else {
            reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return new IOException("cannot write " + target + ": " + reason, e);
    }

    /**
     * What a new file gets where the file system has POSIX permissions: rw-r--r--, as with umask
     * 022.
     */
    private static final Set<PosixFilePermission> NEW_FILE =
            PosixFilePermissions.fromString("rw-r--r--");

    /**
     * Temporary files are created owner-only (rw-------); the published file keeps the permissions
     * of the file it replaces, or gets the usual rw-r--r--, so bundles and images stay readable by
     * others.
     */
    private static void keepOrDefaultPermissions(Path temp, Path target) throws IOException {
        if (!Files.getFileStore(temp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Set<PosixFilePermission> permissions =
                Files.exists(target) ? Files.getPosixFilePermissions(target) : NEW_FILE;
        Files.setPosixFilePermissions(temp, permissions);
    }

    /**
     * Deletes the temporary files that writes killed before their rename left in {@code dir}
     * ({@code .<name>.<random>.tmp}); no reader ever opens them.
     *
     * @return the files deleted
     * @throws IOException if the folder cannot be listed or a file cannot be deleted
     */
    public static java.util.List<Path> removeOrphans(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return java.util.List.of();
        }
        java.util.List<Path> orphans;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            orphans =
                    files.filter(
                                    p -> {
                                        String name = p.getFileName().toString();
                                        return name.startsWith(".")
                                                && name.endsWith(".tmp")
                                                && Files.isRegularFile(p);
                                    })
                            .toList();
        }
        for (Path orphan : orphans) {
            Files.deleteIfExists(orphan);
        }
        return orphans;
    }

    /** Writes bytes to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        write(target, out -> out.write(bytes));
    }

    /** Writes UTF-8 text to {@code target} atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Renames {@code from} over {@code to}, atomically where the file system can. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(
                    from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
