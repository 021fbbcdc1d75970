package io.github.clip2latent.train.loop;

import io.github.clip2latent.conditioning.PseudoTextNoise;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.schedule.NoiseSchedule;
import io.github.clip2latent.train.model.TrainablePrior;
import io.github.clip2latent.train.optim.AdamW;
import io.github.clip2latent.train.optim.Ema;

import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Trains the prior with the reference objective (section 2): x0 = z-scored w, {@code t ~
 * U{0..T-1}}, {@code x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps}, loss {@code MSE(net(x_t, t, c',
 * keep), x0)}, with condition dropout and pseudo-text noise, then AdamW and the EMA.
 *
 * <p>All randomness of step k comes from one generator derived from {@code (seed, k)} ({@link
 * #randomForStep}), drawn in a fixed order: batch rows, t, eps, keep, pseudo-text noise. A run
 * resumed at step k therefore repeats the uninterrupted run exactly, without having to serialize a
 * generator's internal state. Not thread-safe.
 */
public final class Trainer {

    private final TrainerConfig config;
    private final SampleSource data;
    private final LatentStats latentStats;
    private final ShuffleBuffer shuffle;
    private final TrainablePrior network;
    private final AdamW optimizer;
    private final Ema ema;
    private final NoiseSchedule schedule;
    private final PseudoTextNoise pseudoText;
    private long step;

    // Per-step scratch, reused: [B, D] latents/targets, [B, C] conditions, [B, D] x_t, [B] t and
    // keep.
    private final float[] x0;
    private final float[] conditions;
    private final float[] xt;
    private final int[] t;
    private final float[] keep;

    private Trainer(
            TrainerConfig config,
            SampleSource data,
            LatentStats latentStats,
            ShuffleBuffer shuffle,
            TrainablePrior network,
            long step) {
        this.config = config;
        this.data = data;
        this.latentStats = latentStats;
        this.shuffle = shuffle;
        this.network = network;
        this.optimizer =
                new AdamW(config.optimizer(), TrainablePrior.parameterShapes(config.model()));
        this.ema = new Ema(config.ema(), network.parameterArrays());
        this.schedule = NoiseSchedule.of(config.betaSchedule(), config.model().timesteps());
        this.pseudoText =
                config.pseudoTextAlpha() > 0 ? new PseudoTextNoise(config.pseudoTextAlpha()) : null;
        this.step = step;
        int b = config.batchSize();
        int d = config.model().dim();
        this.x0 = new float[b * d];
        this.conditions = new float[b * d];
        this.xt = new float[b * d];
        this.t = new int[b];
        this.keep = new float[b];
    }

    /**
     * Starts a run: estimates the latent statistics from the first {@code statsSamples} rows
     * (unbiased std, as the reference) and initializes the network from the seed.
     *
     * @param config run configuration
     * @param data training pairs; both widths must equal {@code config.model().dim()}
     * @return a trainer at step 0
     */
    public static Trainer create(TrainerConfig config, SampleSource data) {
        Objects.requireNonNull(config, "config");
        checkData(config.model(), data);
        int d = config.model().dim();
        int rows = (int) Math.min(config.statsSamples(), data.size());
        if (rows < 2) {
            throw new IllegalArgumentException(
                    "need at least 2 rows to estimate latent stats, got " + rows);
        }
        float[] w = new float[rows * d];
        float[] unused = new float[data.conditionDim()];
        for (int r = 0; r < rows; r++) {
            data.read(r, w, r * d, unused, 0);
        }
        return create(config, data, LatentStats.estimate(w, rows, d));
    }

    /**
     * Starts a run with given latent statistics, e.g. the ones written next to a generated dataset
     * ({@code DatasetGenerator.readStats}), so the exported bundle carries exactly the dataset's
     * stats.
     *
     * @param config run configuration
     * @param data training pairs; both widths must equal {@code config.model().dim()}
     * @param stats per-dimension mean and std of w, of width {@code config.model().dim()}
     * @return a trainer at step 0
     */
    public static Trainer create(TrainerConfig config, SampleSource data, LatentStats stats) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(stats, "stats");
        checkData(config.model(), data);
        if (stats.dim() != config.model().dim()) {
            throw new IllegalArgumentException(
                    "latent stats have width "
                            + stats.dim()
                            + ", the model dim is "
                            + config.model().dim());
        }
        TrainablePrior network =
                TrainablePrior.create(config.model(), mix(config.seed() ^ 0x5EEDL));
        return new Trainer(
                config,
                data,
                stats,
                new ShuffleBuffer(config.shuffleBufferSize(), data.size()),
                network,
                0);
    }

    /**
     * Continues a run from a saved state.
     *
     * @param state the state written by {@link #state()}
     * @param data the same training pairs as the saved run
     * @return a trainer whose next step equals the saved run's next step
     */
    public static Trainer resume(TrainerState state, SampleSource data) {
        Objects.requireNonNull(state, "state");
        TrainerConfig config = state.config();
        checkData(config.model(), data);
        if (state.shuffle().sourceSize() != data.size()) {
            throw new IllegalArgumentException(
                    "the saved run streamed "
                            + state.shuffle().sourceSize()
                            + " rows per pass but the data has "
                            + data.size());
        }
        TrainablePrior network = TrainablePrior.fromWeights(config.model(), state.online());
        Trainer trainer =
                new Trainer(
                        config,
                        data,
                        state.latentStats(),
                        ShuffleBuffer.restore(state.shuffle()),
                        network,
                        state.step());
        trainer.ema.restore(state.ema());
        trainer.optimizer.restore(state.step(), state.adamFirst(), state.adamSecond());
        return trainer;
    }

    /**
     * The generator of step k: a SplitMix64 stream seeded by a mix of the run seed and k, so any
     * step's randomness is reproducible from two longs.
     *
     * @param seed run seed
     * @param step step index (0-based)
     * @return a fresh generator
     */
    public static SplittableRandom randomForStep(long seed, long step) {
        return new SplittableRandom(mix(seed) ^ mix(step + 0x9E3779B97F4A7C15L));
    }

    /**
     * Runs one optimizer step.
     *
     * @return the batch loss before the update
     */
    public float step() {
        int b = config.batchSize();
        int d = config.model().dim();
        SplittableRandom random = randomForStep(config.seed(), step);
        for (int i = 0; i < b; i++) {
            data.read(shuffle.next(random), x0, i * d, conditions, i * d);
        }
        latentStats.normalizeInPlace(x0, b);
        for (int i = 0; i < b; i++) {
            t[i] = random.nextInt(config.model().timesteps());
        }
        // Forward diffusion q(x_t | x0) (reference section 2).
        for (int i = 0; i < b; i++) {
            double a = schedule.sqrtAlphaBar(t[i]);
            double s = schedule.sqrtOneMinusAlphaBar(t[i]);
            for (int k = 0; k < d; k++) {
                xt[i * d + k] = (float) (a * x0[i * d + k] + s * random.nextGaussian());
            }
        }
        // prob_mask_like(1 - p): keep when a uniform draw falls below the keep probability.
        for (int i = 0; i < b; i++) {
            keep[i] = random.nextDouble() < 1.0 - config.conditionDropProbability() ? 1f : 0f;
        }
        if (pseudoText != null) {
            pseudoText.applyInPlace(conditions, b, d, random);
        }
        TrainablePrior.LossAndGradients lg = network.lossAndGradients(xt, t, conditions, keep, x0);
        optimizer.step(network.parameterArrays(), lg.gradients());
        step++;
        ema.update(step, network.parameterArrays());
        return lg.loss();
    }

    /** Optimizer steps completed. */
    public long stepCount() {
        return step;
    }

    /** The run configuration. */
    public TrainerConfig config() {
        return config;
    }

    /** The online network, updated in place by {@link #step()}. */
    public TrainablePrior network() {
        return network;
    }

    /** The latent statistics used to z-score w; store them with the model. */
    public LatentStats latentStats() {
        return latentStats;
    }

    /** A copy of the averaged weights, the ones to export. */
    public Map<String, float[]> emaWeights() {
        return ema.weights();
    }

    /** A copy of everything needed to resume. */
    public TrainerState state() {
        return new TrainerState(
                config,
                step,
                latentStats,
                shuffle.state(),
                network.weights(),
                ema.weights(),
                optimizer.firstMoments(),
                optimizer.secondMoments());
    }

    private static void checkData(PriorConfig model, SampleSource data) {
        Objects.requireNonNull(data, "data");
        if (data.latentDim() != model.dim() || data.conditionDim() != model.dim()) {
            throw new IllegalArgumentException(
                    "latent and condition widths must equal the model dim "
                            + model.dim()
                            + ", got "
                            + data.latentDim()
                            + " and "
                            + data.conditionDim());
        }
    }

    /** Stafford's Mix13 finalizer (as in SplittableRandom): decorrelates nearby seeds and steps. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
