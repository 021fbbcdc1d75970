package io.github.clip2latent.convert.read;

import java.nio.file.Path;

/**
 * A model file could not be read or converted. The message names the file, the entry, key or module
 * path inside it, what was expected and what was found.
 */
public final class ConversionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message the full message
     */
    public ConversionException(String message) {
        super(message);
    }

    /**
     * @param message the full message
     * @param cause the underlying failure, kept as the cause
     */
    public ConversionException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A message of the form {@code <file>: <where>: <problem>}.
     *
     * @param file the file being read
     * @param where the entry, key or module path inside the file
     * @param problem what was expected and what was found
     * @return the exception
     */
    public static ConversionException at(Path file, String where, String problem) {
        return new ConversionException(file + ": " + where + ": " + problem);
    }

    /**
     * As {@link #at(Path, String, String)}, with a cause.
     *
     * @param file the file being read
     * @param where the entry, key or module path inside the file
     * @param problem what was expected and what was found
     * @param cause the underlying failure
     * @return the exception
     */
    public static ConversionException at(Path file, String where, String problem, Throwable cause) {
        return new ConversionException(file + ": " + where + ": " + problem, cause);
    }
}
