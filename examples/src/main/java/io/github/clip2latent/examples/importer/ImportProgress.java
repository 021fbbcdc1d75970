package io.github.clip2latent.examples.importer;

import java.io.PrintStream;
import java.util.Locale;

/** Receives the import's steps as they start. */
@FunctionalInterface
public interface ImportProgress {

    /**
     * A step starts.
     *
     * @param step 1-based index
     * @param steps number of steps
     * @param what what the step does
     */
    void step(int step, int steps, String what);

    /** Nothing. */
    static ImportProgress silent() {
        return (step, steps, what) -> {};
    }

    /** One line per step on {@code out}, e.g. {@code [3/8] reading CLIP ViT-B-32.pt}. */
    static ImportProgress printingTo(PrintStream out) {
        return printingTo(new java.io.PrintWriter(out, true, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** One line per step on {@code out}, flushed. */
    static ImportProgress printingTo(java.io.PrintWriter out) {
        long start = System.nanoTime();
        return (step, steps, what) ->
                out.printf(
                        Locale.ROOT,
                        "[%d/%d] %6.1f s  %s%n",
                        step,
                        steps,
                        (System.nanoTime() - start) / 1e9,
                        what)
                        .flush();
    }
}
