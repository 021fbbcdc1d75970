package io.github.clip2latent.bundle;

import java.io.IOException;

/**
 * A bundle could not be read or does not match its manifest. The message names the file, the stage
 * (where there is one), what was expected and what was found.
 */
public final class BundleException extends IOException {

    private static final long serialVersionUID = 1L;

    /** An error with a complete message. */
    public BundleException(String message) {
        super(message);
    }

    /** An error caused by another, whose cause is kept. */
    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
