package io.github.clip2latent.train.fit;

import io.github.clip2latent.train.validate.ValidationResult;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a call to {@link TrainingRun#fit} did.
 *
 * @param startStep the step the call started from (0, or the resumed checkpoint's)
 * @param endStep the step it stopped at
 * @param lastLoss the training loss of the last step, NaN if no step ran
 * @param secondsPerStep mean wall time per training step of this call (validation excluded), NaN if
 *     none ran
 * @param validations the validations of this call, in order
 * @param best the best checkpoint file of the run so far, if any
 * @param bestStep its step, or -1
 * @param bestScore its selection score, or NaN
 */
public record FitResult(
        long startStep,
        long endStep,
        float lastLoss,
        double secondsPerStep,
        List<ValidationResult> validations,
        Path best,
        long bestStep,
        double bestScore) {

    /** Copies the list. */
    public FitResult {
        validations = List.copyOf(Objects.requireNonNull(validations, "validations"));
    }
}
