package io.github.clip2latent.train.cli;

/**
 * A command line that cannot be run as given; the message says which option and why. Exit code 2.
 */
final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
