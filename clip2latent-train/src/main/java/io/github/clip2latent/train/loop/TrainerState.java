package io.github.clip2latent.train.loop;

import io.github.clip2latent.latent.LatentStats;

import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link Trainer} needs to continue a run exactly: written to and read from
 * checkpoints. Weight maps hold row-major data keyed by parameter name; shapes follow from {@code
 * config.model()}.
 *
 * @param config the run configuration
 * @param step optimizer steps completed
 * @param latentStats the per-dimension mean and std used to z-score w
 * @param shuffle the data order state
 * @param online the trained weights
 * @param ema the averaged weights
 * @param adamFirst AdamW first moments
 * @param adamSecond AdamW second moments
 */
public record TrainerState(
        TrainerConfig config,
        long step,
        LatentStats latentStats,
        ShuffleBuffer.State shuffle,
        Map<String, float[]> online,
        Map<String, float[]> ema,
        Map<String, float[]> adamFirst,
        Map<String, float[]> adamSecond) {

    /** Checks that nothing is missing; the trainer checks names and lengths when it loads them. */
    public TrainerState {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(latentStats, "latentStats");
        Objects.requireNonNull(shuffle, "shuffle");
        Objects.requireNonNull(online, "online");
        Objects.requireNonNull(ema, "ema");
        Objects.requireNonNull(adamFirst, "adamFirst");
        Objects.requireNonNull(adamSecond, "adamSecond");
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
    }
}
