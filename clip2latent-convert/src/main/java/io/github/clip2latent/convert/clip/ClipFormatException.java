package io.github.clip2latent.convert.clip;

/**
 * A CLIP weight file that cannot be converted: not a CLIP, a missing tensor, inconsistent shapes.
 * The message names the file and the problem.
 */
public final class ClipFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the file, what was expected and what was found
     */
    public ClipFormatException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message names the file, what was expected and what was found
     * @param cause the underlying failure
     */
    public ClipFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
