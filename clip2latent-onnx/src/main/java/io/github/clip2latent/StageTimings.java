package io.github.clip2latent;

/**
 * Wall-clock time of each stage of one {@code sample()} call, in nanoseconds.
 *
 * @param conditionNanos tokenizing and encoding the prompt or image
 * @param priorNanos the diffusion sampling loop
 * @param synthesisNanos mapping and synthesis
 * @param scoringNanos CLIP image embedding and re-ranking
 * @param totalNanos the whole call
 */
public record StageTimings(
        long conditionNanos,
        long priorNanos,
        long synthesisNanos,
        long scoringNanos,
        long totalNanos) {

    /** Human-readable milliseconds. */
    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "condition %.1f ms, prior %.1f ms, synthesis %.1f ms, scoring %.1f ms, total %.1f"
                        + " ms",
                conditionNanos / 1e6,
                priorNanos / 1e6,
                synthesisNanos / 1e6,
                scoringNanos / 1e6,
                totalNanos / 1e6);
    }
}
