package io.github.clip2latent.train.validate;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.NormalizationMode;
import io.github.clip2latent.conditioning.Similarity;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.diffusion.Denoiser;
import io.github.clip2latent.diffusion.GuidedSampling;
import io.github.clip2latent.diffusion.NoiseSource;
import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.diffusion.StandardNormal;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.runtime.Generator;
import io.github.clip2latent.runtime.ImageEncoder;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.runtime.TextEncoder;
import io.github.clip2latent.schedule.NoiseSchedule;
import io.github.clip2latent.schedule.SamplingPlan;
import io.github.clip2latent.train.loop.SampleSource;
import io.github.clip2latent.train.model.TrainablePrior;
import io.github.clip2latent.train.model.TrainablePriorDenoiser;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Measures a prior on held-out pairs and prompts, through the bundle's generator and CLIP encoders
 * (ONNX Runtime) and any {@link Denoiser}: a {@link TrainablePrior} holding EMA weights during
 * training, or an exported bundle's ONNX prior.
 *
 * <ul>
 *   <li>loss: {@code mean((net(x_t, t, e, keep) - x0)^2)}, x0 the z-scored held-out w (reference
 *       section 2), with t and eps drawn once from the seed, so successive validations are
 *       comparable;
 *   <li>image similarity: w sampled for a held-out embedding e with guidance (DDPM, reference
 *       section 4), rendered by the generator, CLIP-embedded with the dataset's preprocessing,
 *       cosine to e;
 *   <li>CLIP score: the same for the prompts' text embeddings (cosine image to text, reference
 *       section 4's re-ranking score);
 *   <li>w distances: Euclidean distance in z-scored space from conditioned and unconditional
 *       samples (same initial noise) to the held-out pair's true w.
 * </ul>
 *
 * Images are embedded at the generator's size: a dataset's {@code preResize} is not applied, so
 * with one the similarity compares slightly different preprocessing. Owns its ONNX Runtime
 * sessions; not thread-safe.
 */
public final class Validator implements AutoCloseable {

    private static final int BATCH = 64;

    private final ValidationOptions options;
    private final Generator generator;
    private final ImageEncoder imageEncoder;
    private final TextEncoder textEncoder;
    private final int dim;
    private final SamplingPlan plan;

    // Held-out data, fixed at construction: [lossRows, D] w and e, [lossRows] t, [lossRows, D] eps;
    // [sampleRows, D] w and e, and the initial noise of every sampling run.
    private final int lossRows;
    private final float[] lossW;
    private final float[] lossE;
    private final long[] lossT;
    private final float[] lossEps;
    private final int sampleRows;
    private final float[] sampleW;
    private final float[] sampleE;
    private final float[] sampleNoise;
    private final float[] promptEmbeddings;

    /** The prior's conditions for the prompts (the bundle's text calibration applied, if any). */
    private final float[] promptConditions;
    private final float[] promptNoise;
    private TrainablePrior emaNetwork;

    private Validator(
            ValidationOptions options,
            Generator generator,
            ImageEncoder imageEncoder,
            TextEncoder textEncoder,
            SampleSource heldOut,
            NoiseSchedule schedule) {
        this.options = options;
        this.generator = generator;
        this.imageEncoder = imageEncoder;
        this.textEncoder = textEncoder;
        this.dim = heldOut.latentDim();
        int timesteps = schedule.timesteps();
        // The bundle's schedule, the one the prior is trained and sampled with.
        this.plan = SamplingPlan.referenceSkip(schedule, options.skip());
        SplittableRandom random = new SplittableRandom(options.seed());

        this.lossRows = (int) Math.min(options.lossPairs(), heldOut.size());
        this.lossW = new float[lossRows * dim];
        this.lossE = new float[lossRows * dim];
        for (int r = 0; r < lossRows; r++) {
            heldOut.read(r, lossW, r * dim, lossE, r * dim);
        }
        this.lossT = new long[lossRows];
        for (int r = 0; r < lossRows; r++) {
            lossT[r] = random.nextInt(timesteps);
        }
        this.lossEps = StandardNormal.sample(random, lossRows * dim);

        this.sampleRows = (int) Math.min(options.samplePairs(), heldOut.size());
        float[] w = new float[sampleRows * dim];
        float[] e = new float[sampleRows * dim];
        for (int r = 0; r < sampleRows; r++) {
            heldOut.read(r, w, r * dim, e, r * dim);
        }
        this.sampleNoise = StandardNormal.sample(random, sampleRows * dim);
        int prompts = options.prompts().size() * options.samplesPerPrompt();
        if (textEncoder != null) {
            float[] text = textEncoder.encode(options.prompts());
            float[] repeated = new float[prompts * dim];
            for (int i = 0; i < prompts; i++) {
                System.arraycopy(
                        text, (i / options.samplesPerPrompt()) * dim, repeated, i * dim, dim);
            }
            this.promptEmbeddings = repeated;
            this.promptConditions = textEncoder.priorConditions(repeated, prompts);
        } else {
            this.promptEmbeddings = new float[0];
            this.promptConditions = new float[0];
        }
        this.promptNoise = StandardNormal.sample(random, prompts * dim);
        this.sampleW = w;
        this.sampleE = e;
    }

    /**
     * Opens the generator and CLIP encoders of {@code bundle} and reads the held-out pairs.
     *
     * @param bundle the bundle the dataset was generated from (generator, image and text encoders)
     * @param runtime ONNX Runtime options
     * @param heldOut pairs never trained on; widths must equal the bundle's
     * @param options what to measure
     * @return the validator
     * @throws BundleException if a stage cannot be opened
     */
    public static Validator open(
            ModelBundle bundle,
            RuntimeOptions runtime,
            SampleSource heldOut,
            ValidationOptions options)
            throws BundleException {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(heldOut, "heldOut");
        Objects.requireNonNull(options, "options");
        var m = bundle.manifest();
        if (heldOut.latentDim() != m.latentDim() || heldOut.conditionDim() != m.embeddingDim()) {
            throw new IllegalArgumentException(
                    "held-out pairs have widths ("
                            + heldOut.latentDim()
                            + ", "
                            + heldOut.conditionDim()
                            + "), bundle "
                            + bundle.directory()
                            + " has ("
                            + m.latentDim()
                            + ", "
                            + m.embeddingDim()
                            + ")");
        }
        SessionFactory sessions = new SessionFactory(runtime);
        Generator generator = Generator.open(bundle, sessions);
        ImageEncoder imageEncoder = null;
        TextEncoder textEncoder = null;
        try {
            // The dataset's preprocessing (DatasetGenerator): embeddings are compared with the
            // dataset's.
            imageEncoder =
                    ImageEncoder.open(
                            bundle, sessions, m.preprocessing().withMode(NormalizationMode.SINGLE));
            if (!options.prompts().isEmpty()) {
                textEncoder = TextEncoder.open(bundle, sessions);
            }
            return new Validator(
                    options,
                    generator,
                    imageEncoder,
                    textEncoder,
                    heldOut,
                    NoiseSchedule.of(m.betaSchedule(), m.timesteps()));
        } catch (Throwable e) {
            // Also on an Error (an OutOfMemoryError while opening): nothing stays open.
            if (textEncoder != null) {
                textEncoder.close();
            }
            if (imageEncoder != null) {
                imageEncoder.close();
            }
            generator.close();
            throw e;
        }
    }

    /** The options. */
    public ValidationOptions options() {
        return options;
    }

    /**
     * Validates weights, e.g. a trainer's EMA weights; they are loaded into a network kept for the
     * next call, so the graph is built once.
     *
     * @param step optimizer steps of the weights
     * @param config network shape
     * @param weights name to row-major data
     * @param stats the run's latent stats
     * @return the measurements
     */
    public ValidationResult validate(
            long step, PriorConfig config, Map<String, float[]> weights, LatentStats stats) {
        if (emaNetwork == null || !emaNetwork.config().equals(config)) {
            emaNetwork = TrainablePrior.fromWeights(config, weights);
        } else {
            emaNetwork.loadWeights(weights);
        }
        return validate(step, TrainablePriorDenoiser.of(emaNetwork), stats);
    }

    /**
     * Validates any denoiser (e.g. an exported bundle's ONNX prior).
     *
     * @param step the step to report
     * @param denoiser the prior
     * @param stats latent stats that z-score w for this prior
     * @return the measurements
     */
    public ValidationResult validate(long step, Denoiser denoiser, LatentStats stats) {
        if (denoiser.latentDim() != dim || denoiser.conditionDim() != dim) {
            throw new IllegalArgumentException(
                    "denoiser widths ("
                            + denoiser.latentDim()
                            + ", "
                            + denoiser.conditionDim()
                            + ") differ from the held-out pairs' "
                            + dim);
        }
        double loss = loss(denoiser, stats);

        float[] x0 = sampleW.clone();
        stats.normalizeInPlace(x0, sampleRows);
        float[] conditioned = sample(denoiser, sampleE, sampleNoise, sampleRows, true);
        float[] unconditional = sample(denoiser, sampleE, sampleNoise, sampleRows, false);
        double condDistance = meanDistance(conditioned, x0, sampleRows);
        double uncondDistance = meanDistance(unconditional, x0, sampleRows);
        double imageSimilarity = renderedSimilarity(conditioned, sampleE, sampleRows, stats);

        double clipScore = Double.NaN;
        if (textEncoder != null) {
            int rows = promptEmbeddings.length / dim;
            float[] x = sample(denoiser, promptConditions, promptNoise, rows, true);
            clipScore = renderedSimilarity(x, promptEmbeddings, rows, stats);
        }
        return new ValidationResult(
                step, loss, imageSimilarity, clipScore, condDistance, uncondDistance);
    }

    /** x0 MSE at the fixed t and eps (reference section 2), in batches. */
    private double loss(Denoiser denoiser, LatentStats stats) {
        NoiseSchedule schedule = plan.schedule();
        float[] x0 = lossW.clone();
        stats.normalizeInPlace(x0, lossRows);
        double sum = 0;
        float[] xt = new float[BATCH * dim];
        float[] pred = new float[BATCH * dim];
        boolean[] keep = new boolean[BATCH];
        Arrays.fill(keep, true);
        for (int start = 0; start < lossRows; start += BATCH) {
            int n = Math.min(BATCH, lossRows - start);
            for (int r = 0; r < n; r++) {
                int t = (int) lossT[start + r];
                double a = schedule.sqrtAlphaBar(t);
                double s = schedule.sqrtOneMinusAlphaBar(t);
                for (int k = 0; k < dim; k++) {
                    int i = (start + r) * dim + k;
                    xt[r * dim + k] = (float) (a * x0[i] + s * lossEps[i]);
                }
            }
            denoiser.predictX0(
                    xt,
                    Arrays.copyOfRange(lossT, start, start + n),
                    Arrays.copyOfRange(lossE, start * dim, (start + n) * dim),
                    keep,
                    n,
                    pred);
            for (int i = 0; i < n * dim; i++) {
                double diff = pred[i] - x0[start * dim + i];
                sum += diff * diff;
            }
        }
        return sum / ((double) lossRows * dim);
    }

    /**
     * DDPM samples from the given initial noise, guided by the condition or unconditional (key
     * masked), through the one prior-sampling path ({@link GuidedSampling}).
     */
    private float[] sample(
            Denoiser denoiser, float[] condition, float[] noise, int rows, boolean conditioned) {
        GuidedSampling sampling =
                new GuidedSampling(plan, SamplerKind.DDPM.create(), (float) options.guidance());
        // The sampler's own noise is seeded too, so every validation draws the same.
        NoiseSource start =
                GuidedSampling.startingFrom(noise, new SplittableRandom(options.seed() ^ rows));
        return conditioned
                ? sampling.sample(denoiser, condition, null, rows, start)
                : sampling.sampleUnconditional(denoiser, condition, rows, start);
    }

    /**
     * Mean over rows of the cosine between the CLIP embedding of the rendered z-scored latents and
     * targets.
     */
    private double renderedSimilarity(float[] x, float[] targets, int rows, LatentStats stats) {
        float[] w = x.clone();
        stats.denormalizeInPlace(w, rows);
        int size = generator.imageSize();
        double sum = 0;
        for (int start = 0; start < rows; start += BATCH) {
            int n = Math.min(BATCH, rows - start);
            float[] batch = Arrays.copyOfRange(w, start * dim, (start + n) * dim);
            float[] images =
                    generator.synthesize(
                            LayeredLatents.broadcast(batch, n, generator.numWs(), dim), n);
            float[] e = imageEncoder.encode(images, n, size, size);
            int c = imageEncoder.embeddingDim();
            for (int r = 0; r < n; r++) {
                sum += Similarity.cosine(e, r * c, targets, (start + r) * c, c);
            }
        }
        return sum / rows;
    }

    private double meanDistance(float[] a, float[] b, int rows) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int k = 0; k < dim; k++) {
                double diff = a[r * dim + k] - b[r * dim + k];
                s += diff * diff;
            }
            total += Math.sqrt(s);
        }
        return total / rows;
    }

    @Override
    public void close() {
        try {
            if (textEncoder != null) {
                textEncoder.close();
            }
        } finally {
            try {
                imageEncoder.close();
            } finally {
                generator.close();
            }
        }
    }
}
