package io.github.clip2latent.examples.importer;

/**
 * Two of the import's files do not fit together (e.g. the prior's width is not the generator's
 * w_dim). The message names both files and both values. Thrown before anything is written.
 */
public final class MismatchedPartsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    MismatchedPartsException(String message) {
        super(message);
    }
}
