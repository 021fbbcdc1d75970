package io.github.clip2latent.train.loop;

import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.schedule.BetaSchedule;
import io.github.clip2latent.train.optim.AdamWConfig;
import io.github.clip2latent.train.optim.EmaConfig;

import java.util.Objects;

/**
 * Everything that determines a training run, so that a checkpoint plus its data reproduce it.
 *
 * @param model network shape; its {@code timesteps} is also the length of the noise schedule
 * @param optimizer AdamW hyperparameters
 * @param ema parameter averaging
 * @param batchSize samples per step, {@code >= 1} (512 in the reference)
 * @param conditionDropProbability probability of masking a sample's condition, in [0, 1] (0.2 in
 *     the reference)
 * @param pseudoTextAlpha strength of the pseudo-text noise on conditions, {@code >= 0}; 0 disables
 *     it (1.0 in the reference)
 * @param seed seed of the weight initialization and of every step's random stream
 * @param shuffleBufferSize slots of the shuffle buffer, {@code >= 1}
 * @param statsSamples leading rows used to estimate the latent mean and std, {@code >= 2} (10,000
 *     in the reference)
 * @param betaSchedule the noise schedule, the bundle's {@code schedule.betaSchedule} (cosine in the
 *     reference); a checkpoint written before this field existed reads as cosine, the only schedule
 *     training used then
 */
public record TrainerConfig(
        PriorConfig model,
        AdamWConfig optimizer,
        EmaConfig ema,
        int batchSize,
        double conditionDropProbability,
        double pseudoTextAlpha,
        long seed,
        int shuffleBufferSize,
        int statsSamples,
        BetaSchedule betaSchedule) {

    /** Validates every field; messages name the bad value. */
    public TrainerConfig {
        betaSchedule = betaSchedule == null ? BetaSchedule.COSINE : betaSchedule;
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(ema, "ema");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (!(conditionDropProbability >= 0 && conditionDropProbability <= 1)) {
            throw new IllegalArgumentException(
                    "conditionDropProbability must be in [0, 1], got " + conditionDropProbability);
        }
        if (!(pseudoTextAlpha >= 0) || Double.isInfinite(pseudoTextAlpha)) {
            throw new IllegalArgumentException(
                    "pseudoTextAlpha must be finite and >= 0, got " + pseudoTextAlpha);
        }
        if (shuffleBufferSize < 1) {
            throw new IllegalArgumentException(
                    "shuffleBufferSize must be >= 1, got " + shuffleBufferSize);
        }
        if (statsSamples < 2) {
            throw new IllegalArgumentException("statsSamples must be >= 2, got " + statsSamples);
        }
    }

    /** A configuration on the cosine schedule, the reference's. */
    public TrainerConfig(
            PriorConfig model,
            AdamWConfig optimizer,
            EmaConfig ema,
            int batchSize,
            double conditionDropProbability,
            double pseudoTextAlpha,
            long seed,
            int shuffleBufferSize,
            int statsSamples) {
        this(
                model,
                optimizer,
                ema,
                batchSize,
                conditionDropProbability,
                pseudoTextAlpha,
                seed,
                shuffleBufferSize,
                statsSamples,
                BetaSchedule.COSINE);
    }

    /**
     * A copy on another noise schedule.
     *
     * @param schedule the bundle's schedule
     * @return the new configuration
     */
    public TrainerConfig withBetaSchedule(BetaSchedule schedule) {
        return new TrainerConfig(
                model,
                optimizer,
                ema,
                batchSize,
                conditionDropProbability,
                pseudoTextAlpha,
                seed,
                shuffleBufferSize,
                statsSamples,
                Objects.requireNonNull(schedule, "schedule"));
    }

    /**
     * The reference's training settings (section 2) for a given network and seed: AdamW 1e-4, EMA
     * 0.99999 after step 1000, batch 512, condition dropout 0.2, pseudo-text alpha 1.0, stats from
     * the first 10,000 rows; shuffle buffer of 10,000 rows.
     *
     * @param model network shape
     * @param seed run seed
     * @return the configuration
     */
    public static TrainerConfig reference(PriorConfig model, long seed) {
        return new TrainerConfig(
                model,
                AdamWConfig.reference(),
                EmaConfig.reference(),
                512,
                0.2,
                1.0,
                seed,
                10_000,
                10_000);
    }

    /**
     * A copy with another batch size.
     *
     * @param newBatchSize samples per step
     * @return the new configuration
     */
    public TrainerConfig withBatchSize(int newBatchSize) {
        return new TrainerConfig(
                model,
                optimizer,
                ema,
                newBatchSize,
                conditionDropProbability,
                pseudoTextAlpha,
                seed,
                shuffleBufferSize,
                statsSamples,
                betaSchedule);
    }
}
