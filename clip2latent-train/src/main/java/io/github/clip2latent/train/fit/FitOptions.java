package io.github.clip2latent.train.fit;

import io.github.clip2latent.train.validate.SelectionScore;
import io.github.clip2latent.train.validate.ValidationOptions;

import java.util.Objects;

/**
 * How a training run is driven (the network and optimizer are in {@code TrainerConfig}).
 *
 * @param steps total optimizer steps of the run, {@code >= 1}; a resumed run stops at the same
 *     total
 * @param checkpointEvery steps between checkpoints, {@code >= 1}
 * @param keepCheckpoints newest periodic checkpoints kept, {@code >= 1} (the best one is kept
 *     apart)
 * @param validateEvery steps between validations, {@code >= 1}; also validated at step 0 and at the
 *     end
 * @param holdout trailing dataset rows held out for validation and never trained on, {@code >= 1}
 * @param logEvery steps between progress lines, {@code >= 1}
 * @param validation what validation measures
 * @param selection the score that picks the best checkpoint
 */
public record FitOptions(
        long steps,
        long checkpointEvery,
        int keepCheckpoints,
        long validateEvery,
        int holdout,
        long logEvery,
        ValidationOptions validation,
        SelectionScore selection) {

    /** Validates every field; messages name the bad value. */
    public FitOptions {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException(
                    "checkpointEvery must be >= 1, got " + checkpointEvery);
        }
        if (keepCheckpoints < 1) {
            throw new IllegalArgumentException(
                    "keepCheckpoints must be >= 1, got " + keepCheckpoints);
        }
        if (validateEvery < 1) {
            throw new IllegalArgumentException("validateEvery must be >= 1, got " + validateEvery);
        }
        if (holdout < 1) {
            throw new IllegalArgumentException("holdout must be >= 1, got " + holdout);
        }
        if (logEvery < 1) {
            throw new IllegalArgumentException("logEvery must be >= 1, got " + logEvery);
        }
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(selection, "selection");
    }
}
