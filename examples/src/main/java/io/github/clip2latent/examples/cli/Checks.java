package io.github.clip2latent.examples.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Checks of option values that picocli's types cannot express, reported as usage errors (exit code
 * 2) before anything is loaded.
 */
final class Checks {

    private Checks() {}

    /** {@code path}, which must be an existing folder. */
    static Path existingDirectory(CommandSpec command, String option, Path path) {
        if (!Files.isDirectory(path)) {
            throw new ParameterException(
                    command.commandLine(),
                    option + " " + path.toAbsolutePath() + " is not an existing folder");
        }
        return path;
    }

    /** {@code path}, which must be an existing file. */
    static Path existingFile(CommandSpec command, String option, Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ParameterException(
                    command.commandLine(),
                    option + " " + path.toAbsolutePath() + " is not an existing file");
        }
        return path;
    }

    /**
     * Runs the value checks of a library builder or record and turns their {@link
     * IllegalArgumentException} (whose message names the value) into a usage error.
     */
    static <T> T usage(CommandSpec command, Supplier<T> check) {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage(), e);
        }
    }

    /** A usage error with {@code message}. */
    static ParameterException usageError(CommandSpec command, String message) {
        return new ParameterException(command.commandLine(), message);
    }
}
