package io.github.clip2latent.train.validate;

import java.util.List;
import java.util.Objects;

/**
 * What a validation pass measures and how.
 *
 * @param lossPairs held-out pairs of the x0 validation loss, {@code >= 1} (fewer if fewer are held
 *     out)
 * @param samplePairs held-out pairs sampled from for the image-embedding similarity, {@code >= 1}
 * @param prompts prompts of the CLIP score; empty skips it
 * @param samplesPerPrompt images per prompt of the CLIP score, {@code >= 1}
 * @param guidance classifier-free guidance scale of the samples, finite and {@code >= 0} (2 in the
 *     demo)
 * @param skip timestep respacing of the samples, a divisor of the schedule length (250 in the demo)
 * @param seed seed of the fixed t, noise and initial latents, equal at every validation
 */
public record ValidationOptions(
        int lossPairs,
        int samplePairs,
        List<String> prompts,
        int samplesPerPrompt,
        double guidance,
        int skip,
        long seed) {

    /** Validates every field; messages name the bad value. */
    public ValidationOptions {
        if (lossPairs < 1) {
            throw new IllegalArgumentException("lossPairs must be >= 1, got " + lossPairs);
        }
        if (samplePairs < 1) {
            throw new IllegalArgumentException("samplePairs must be >= 1, got " + samplePairs);
        }
        Objects.requireNonNull(prompts, "prompts");
        for (String p : prompts) {
            if (p == null || p.isBlank()) {
                throw new IllegalArgumentException("prompts must not be blank, got '" + p + "'");
            }
        }
        prompts = List.copyOf(prompts);
        if (samplesPerPrompt < 1) {
            throw new IllegalArgumentException(
                    "samplesPerPrompt must be >= 1, got " + samplesPerPrompt);
        }
        if (!(guidance >= 0) || Double.isInfinite(guidance)) {
            throw new IllegalArgumentException("guidance must be finite and >= 0, got " + guidance);
        }
        if (skip < 1) {
            throw new IllegalArgumentException("skip must be >= 1, got " + skip);
        }
    }

    /**
     * The defaults: 512 loss pairs, 32 sampled pairs, the given prompts with 4 images each, the
     * demo's guidance 2 and skip 250 (reference section 4), seed 0.
     *
     * @param prompts prompts of the CLIP score; may be empty
     * @return the options
     */
    public static ValidationOptions defaults(List<String> prompts) {
        return new ValidationOptions(512, 32, prompts, 4, 2.0, 250, 0L);
    }

    /** A copy with other pair counts. */
    public ValidationOptions withPairs(int newLossPairs, int newSamplePairs) {
        return new ValidationOptions(
                newLossPairs, newSamplePairs, prompts, samplesPerPrompt, guidance, skip, seed);
    }
}
