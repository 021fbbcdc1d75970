package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Optimizer settings: Adam, no weight decay, a linear warm-up and optionally a linear decay.
 *
 * @param learningRate Adam step size after the warm-up, in (0, 1]
 * @param beta1 Adam first-moment decay, in [0, 1)
 * @param beta2 Adam second-moment decay, in [0, 1)
 * @param epsilon Adam denominator term, &gt; 0
 * @param warmupSteps steps over which the learning rate ramps up linearly from 0 (0: none)
 * @param decaySteps step at which the learning rate, falling linearly from {@code learningRate},
 *     reaches 0 (0: no decay, the rate stays constant); usually the run's length, which lets a
 *     contrastive model settle at the end instead of stopping mid-stride
 */
public record TrainingOptions(
        double learningRate,
        double beta1,
        double beta2,
        double epsilon,
        int warmupSteps,
        int decaySteps) {

    /** Validates. */
    public TrainingOptions {
        checkArgument(
                learningRate > 0 && learningRate <= 1,
                "learningRate must be in (0, 1], got %s",
                learningRate);
        checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got %s", beta1);
        checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got %s", beta2);
        checkArgument(epsilon > 0, "epsilon must be > 0, got %s", epsilon);
        checkArgument(warmupSteps >= 0, "warmupSteps must be >= 0, got %s", warmupSteps);
        checkArgument(
                decaySteps == 0 || decaySteps > warmupSteps,
                "decaySteps must be 0 (no decay) or more than warmupSteps (%s), got %s",
                warmupSteps,
                decaySteps);
    }

    /**
     * Learning rate 1e-3 after 100 warm-up steps, then constant; betas 0.9 and 0.98 (CLIP's),
     * epsilon 1e-6 (CLIP's).
     */
    public static TrainingOptions defaults() {
        return new TrainingOptions(1e-3, 0.9, 0.98, 1e-6, 100, 0);
    }

    /** A copy with another learning rate. */
    public TrainingOptions withLearningRate(double value) {
        return new TrainingOptions(value, beta1, beta2, epsilon, warmupSteps, decaySteps);
    }

    /** A copy with another warm-up length. */
    public TrainingOptions withWarmupSteps(int steps) {
        return new TrainingOptions(learningRate, beta1, beta2, epsilon, steps, decaySteps);
    }

    /** A copy whose rate falls linearly to 0 at step {@code steps} (0: constant). */
    public TrainingOptions withDecaySteps(int steps) {
        return new TrainingOptions(learningRate, beta1, beta2, epsilon, warmupSteps, steps);
    }
}
