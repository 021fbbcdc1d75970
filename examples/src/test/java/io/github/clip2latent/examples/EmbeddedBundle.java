package io.github.clip2latent.examples;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find the embedded shapes-world bundle. */
public final class EmbeddedBundle {

    private EmbeddedBundle() {}

    /**
     * The embedded bundle's folder, from the examples module or from the repository root.
     *
     * @return {@code examples/bundles/shapes-world} (which may be missing)
     */
    public static Path path() {
        Path fromModule = Path.of("bundles", "shapes-world");
        return Files.isDirectory(fromModule)
                ? fromModule
                : Path.of("examples", "bundles", "shapes-world");
    }
}
