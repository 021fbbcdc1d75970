package io.github.clip2latent.train.dataset;

/** Receives progress lines of long runs (rate and ETA included). */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that prints nothing. */
    ProgressListener SILENT = line -> { };

    /** One progress line. */
    void progress(String line);
}
