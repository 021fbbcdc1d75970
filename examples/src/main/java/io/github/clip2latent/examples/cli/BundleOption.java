package io.github.clip2latent.examples.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/** {@code --bundle DIR}, shared by every command that reads a bundle. */
final class BundleOption {

    /** The system property the launcher sets to the embedded bundle's absolute path. */
    static final String DEFAULT_BUNDLE_PROPERTY = "clip2latent.defaultBundle";

    /** The embedded shapes-world bundle: the launcher's property, else the repository path. */
    static final String DEFAULT_BUNDLE =
            "${sys:" + DEFAULT_BUNDLE_PROPERTY + ":-examples/bundles/shapes-world}";

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--bundle",
            paramLabel = "DIR",
            defaultValue = DEFAULT_BUNDLE,
            description = "the model bundle folder (default: ${DEFAULT-VALUE})")
    Path bundle;

    /**
     * The bundle folder, checked to exist before anything is loaded.
     *
     * @return the folder as given (relative paths are relative to the current folder)
     */
    Path directory() {
        return Checks.existingDirectory(command, "--bundle", bundle);
    }
}
