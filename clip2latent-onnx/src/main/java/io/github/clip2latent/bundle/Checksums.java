package io.github.clip2latent.bundle;

import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;

import java.io.IOException;
import java.nio.file.Path;

/** SHA-256 of bundle files, as the manifest's {@code checksums} records them. */
final class Checksums {

    private Checksums() {}

    /** The lowercase hex SHA-256 of a file's bytes. */
    static String sha256(Path file) throws IOException {
        return MoreFiles.asByteSource(file).hash(Hashing.sha256()).toString();
    }
}
