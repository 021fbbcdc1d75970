package io.github.clip2latent.examples.shapes.clip;

/**
 * What one {@link ClipTrainer#train} call did.
 *
 * @param steps optimizer steps taken
 * @param finalLoss the last step's loss
 * @param finalAccuracy the last step's in-batch retrieval accuracy
 * @param logitScale the logit scale after the last step
 * @param firstStepSeconds wall time of the first step, which includes building the gradient graph
 * @param secondsPerStep mean wall time of the other steps (batch drawing, preprocessing and
 *     tokenization included); the first step's time when there is only one
 */
public record TrainingSummary(
        int steps,
        double finalLoss,
        double finalAccuracy,
        double logitScale,
        double firstStepSeconds,
        double secondsPerStep) {}
