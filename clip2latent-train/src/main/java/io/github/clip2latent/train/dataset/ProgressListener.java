package io.github.clip2latent.train.dataset;

/** Receives progress lines of long runs (rate and ETA included). */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that prints nothing. */
    ProgressListener SILENT = line -> {};

    /** One progress line. */
    void progress(String line);

    /**
     * A remaining time for progress lines, such as {@code 4m05s} or {@code 2h10m}; "?" if unknown.
     */
    static String eta(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
