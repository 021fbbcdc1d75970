package io.github.clip2latent.schedule;

/** How a respaced {@link SamplingPlan} chooses the standard deviation of the ancestral noise. */
public enum NoiseMode {
    /**
     * The reference's quirk (reference section 4): the noise at a kept step t uses the original
     * one-step posterior log variance {@code L[t]}, not the respaced one, so respaced sampling is
     * nearly deterministic. Needed to reproduce the published models' samples.
     */
    REFERENCE_QUIRK,
    /** The posterior variance recomputed for the respaced steps, as a consistent respacing does. */
    CONSISTENT
}
