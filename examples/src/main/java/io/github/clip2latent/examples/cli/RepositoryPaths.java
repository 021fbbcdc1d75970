package io.github.clip2latent.examples.cli;

/**
 * Defaults of the commands that maintain files of the repository (the embedded bundle, the quality
 * report, the figures): they resolve against the repository root that the launcher passes as
 * {@value #HOME_PROPERTY}, or the current folder without it. Paths given on the command line are
 * relative to the current folder, as usual.
 */
final class RepositoryPaths {

    /** The system property the launcher sets to the repository root. */
    static final String HOME_PROPERTY = "clip2latent.home";

    /** The repository root as a picocli default-value expression. */
    static final String HOME = "${sys:" + HOME_PROPERTY + ":-.}";

    private RepositoryPaths() {}
}
