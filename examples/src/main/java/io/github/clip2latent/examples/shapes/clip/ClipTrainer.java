package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.convert.clip.ClipConfig;
import io.github.clip2latent.convert.clip.ClipWeights;
import io.github.clip2latent.image.ClipPreprocessor;
import io.github.clip2latent.tokenizer.ClipTokenizer;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerVariables;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.PolySchedule;
import org.nd4j.linalg.schedule.RampSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Trains a {@link ClipModel} with CLIP's symmetric InfoNCE loss and Adam, in SameDiff. Images are
 * preprocessed exactly as the exported image encoder's callers do ({@link ClipPreprocessor} with
 * {@code ImagePreprocessing.clip(S)}), and captions tokenized with the tokenizer that will ship in
 * the bundle.
 *
 * <p>The Adam state lives in the model's SameDiff instance, so successive {@link #train} calls
 * continue one run. Not thread-safe.
 */
public final class ClipTrainer {

    private final ClipModel model;
    private final ClipTokenizer tokenizer;
    private final ClipPreprocessor preprocessor;
    private final TrainingOptions options;

    private ClipTrainer(ClipModel model, ClipTokenizer tokenizer, TrainingOptions options) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.options = options;
        this.preprocessor =
                new ClipPreprocessor(ImagePreprocessing.clip(model.config().imageResolution()));
    }

    /**
     * A trainer; installs the optimizer on the model. Make one trainer per model: another {@code
     * create} on the same model installs a fresh optimizer.
     *
     * @param model the model to train
     * @param tokenizer the tokenizer; its vocabulary size, context length and end token must be the
     *     model's
     * @param options optimizer settings
     * @return the trainer
     */
    public static ClipTrainer create(
            ClipModel model, ClipTokenizer tokenizer, TrainingOptions options) {
        checkNotNull(model, "model");
        checkNotNull(tokenizer, "tokenizer");
        checkNotNull(options, "options");
        ClipConfig c = model.config();
        checkArgument(
                tokenizer.vocabularySize() == c.vocabSize()
                        && tokenizer.contextLength() == c.contextLength()
                        && tokenizer.endOfTextId() == model.endOfTextId(),
                "tokenizer (vocabulary %s, context %s, end token %s) does not match the model (%s,"
                        + " %s, %s)",
                tokenizer.vocabularySize(),
                tokenizer.contextLength(),
                tokenizer.endOfTextId(),
                c.vocabSize(),
                c.contextLength(),
                model.endOfTextId());
        // Linear decay is nd4j's PolySchedule with power 1: lr * (1 - step / decaySteps).
        ISchedule base =
                options.decaySteps() > 0
                        ? new PolySchedule(
                                ScheduleType.ITERATION,
                                options.learningRate(),
                                1.0,
                                options.decaySteps())
                        : new FixedSchedule(options.learningRate());
        ISchedule rate =
                options.warmupSteps() > 0 ? new RampSchedule(base, options.warmupSteps()) : base;
        model.sameDiff()
                .setTrainingConfig(
                        TrainingConfig.builder()
                                .updater(
                                        Adam.builder()
                                                .learningRateSchedule(rate)
                                                .beta1(options.beta1())
                                                .beta2(options.beta2())
                                                .epsilon(options.epsilon())
                                                .build())
                                .dataSetFeatureMapping(
                                        ClipModel.PIXEL_VALUES,
                                        ClipModel.COMPACT_IDS,
                                        ClipModel.EOT_ONE_HOT,
                                        ClipModel.IMAGE_TARGETS,
                                        ClipModel.TEXT_TARGETS)
                                .markLabelsUnused()
                                .build());
        return new ClipTrainer(model, tokenizer, options);
    }

    /** The model being trained. */
    public ClipModel model() {
        return model;
    }

    /** The optimizer settings. */
    public TrainingOptions options() {
        return options;
    }

    /**
     * The image preprocessing applied to each batch, and expected by the exported image encoder.
     */
    public ImagePreprocessing preprocessing() {
        return preprocessor.spec();
    }

    /**
     * Runs {@code steps} optimizer steps, one batch each.
     *
     * @param source the batches
     * @param steps how many steps, at least 1
     * @param random passed to {@code source} for every batch; the only randomness of the run
     * @param listener progress, after each step
     * @return the summary
     */
    public TrainingSummary train(
            ContrastiveBatchSource source,
            int steps,
            RandomGenerator random,
            TrainingListener listener) {
        checkNotNull(source, "source");
        checkNotNull(random, "random");
        checkNotNull(listener, "listener");
        checkArgument(steps >= 1, "steps must be >= 1, got %s", steps);
        SameDiff sd = model.sameDiff();
        Capture capture = new Capture();
        double loss = Double.NaN;
        double accuracy = Double.NaN;
        double first = 0;
        double rest = 0;
        for (int step = 1; step <= steps; step++) {
            long start = System.nanoTime();
            ContrastiveBatch batch = checkNotNull(source.next(random), "source returned no batch");
            capture.clear();
            Targets targets = targets(batch);
            sd.fit(features(batch, targets), capture);
            clampLogitScale(sd);
            if (capture.image == null || capture.text == null || capture.logits == null) {
                throw new IllegalStateException(
                        "SameDiff did not report the logits and embeddings of step " + step);
            }
            // SameDiff's Loss record reports 0 for this graph, and the loss variable is not passed
            // to listeners, so the same formula is evaluated here on the step's logits.
            loss = infoNce(capture.logits, targets, batch.rows());
            accuracy =
                    Retrieval.topOneAccuracy(
                            capture.image,
                            capture.text,
                            batch.rows(),
                            model.config().embedDim(),
                            batch.captions());
            double seconds = (System.nanoTime() - start) / 1e9;
            if (step == 1) {
                first = seconds;
            } else {
                rest += seconds;
            }
            listener.onStep(step, loss, accuracy);
        }
        double perStep = steps > 1 ? rest / (steps - 1) : first;
        return new TrainingSummary(steps, loss, accuracy, model.logitScale(), first, perStep);
    }

    /** The five graph inputs of a batch, in the order of the feature mapping. */
    MultiDataSet features(ContrastiveBatch batch) {
        return features(batch, targets(batch));
    }

    private MultiDataSet features(ContrastiveBatch batch, Targets targets) {
        ClipConfig c = model.config();
        int rows = batch.rows();
        int r = c.imageResolution();
        float[] pixels = new float[rows * 3 * r * r];
        preprocessor.apply(batch.images(), rows, batch.height(), batch.width(), pixels);
        long[] ids = tokenizer.tokenizeBatch(batch.captions());
        INDArray[] inputs = {
            Nd4j.create(pixels, new long[] {rows, 3, r, r}, 'c'),
            model.compactIds(ids, rows),
            model.endOfTextOneHot(ids, rows),
            Nd4j.create(targets.image(), new long[] {rows, rows}, 'c'),
            Nd4j.create(targets.text(), new long[] {rows, rows}, 'c'),
        };
        return new MultiDataSet(inputs, new INDArray[0]);
    }

    /**
     * Soft targets of both directions, {@code [rows, rows]} each with rows summing to 1.
     *
     * @param image row i: the captions true of image i, each {@code 1 / count}
     * @param text row j: the images caption j is true of, each {@code 1 / count}
     */
    record Targets(float[] image, float[] text) {}

    /**
     * The targets of a batch: with a match matrix M (M[i, j] = caption j is true of image i), image
     * i's target spreads over the captions true of it and caption j's over the images it is true
     * of; without one, equal captions match. With one true caption per image this is CLIP's
     * identity target.
     */
    static Targets targets(ContrastiveBatch batch) {
        int n = batch.rows();
        boolean[] m = batch.matches();
        if (m == null) {
            m = new boolean[n * n];
            List<String> captions = batch.captions();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    m[i * n + j] = captions.get(i).equals(captions.get(j));
                }
            }
        }
        float[] image = new float[n * n];
        float[] text = new float[n * n];
        for (int i = 0; i < n; i++) {
            int count = 0;
            for (int j = 0; j < n; j++) {
                count += m[i * n + j] ? 1 : 0;
            }
            for (int j = 0; j < n; j++) {
                image[i * n + j] = m[i * n + j] ? 1f / count : 0f;
            }
        }
        for (int j = 0; j < n; j++) {
            int count = 0;
            for (int i = 0; i < n; i++) {
                count += m[i * n + j] ? 1 : 0;
            }
            for (int i = 0; i < n; i++) {
                text[j * n + i] = m[i * n + j] ? 1f / count : 0f;
            }
        }
        return new Targets(image, text);
    }

    /**
     * The symmetric contrastive loss with soft targets, as ClipModel's graph computes it: {@code
     * -(sum(T_image * logSoftmax_rows(L)) + sum(T_text * logSoftmax_rows(L^T))) / (2 B)}.
     */
    static double infoNce(float[] logits, Targets targets, int n) {
        double total = 0;
        for (int pass = 0; pass < 2; pass++) {
            float[] t = pass == 0 ? targets.image() : targets.text();
            for (int i = 0; i < n; i++) {
                // pass 0: row i of L (image i against all texts); pass 1: column i (text i).
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, logits[pass == 0 ? i * n + j : j * n + i]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += Math.exp(logits[pass == 0 ? i * n + j : j * n + i] - max);
                }
                double logZ = max + Math.log(sum);
                for (int j = 0; j < n; j++) {
                    int k = pass == 0 ? i * n + j : j * n + i;
                    total -= t[i * n + j] * (logits[k] - logZ);
                }
            }
        }
        return total / (2.0 * n);
    }

    /** CLIP clamps the logit scale to at most log(100) after each step, so logits stay bounded. */
    private static void clampLogitScale(SameDiff sd) {
        INDArray scale = sd.getVariable(ClipWeights.LOGIT_SCALE).getArr();
        if (scale.getDouble(0) > ClipModel.MAX_LOGIT_SCALE) {
            scale.assign(ClipModel.MAX_LOGIT_SCALE);
        }
    }

    /** Keeps the step's loss and both embeddings, which fit computes anyway, to score the batch. */
    private static final class Capture extends BaseListener {
        private float[] logits;
        private float[] image;
        private float[] text;

        void clear() {
            logits = null;
            image = null;
            text = null;
        }

        @Override
        public ListenerVariables requiredVariables(SameDiff sd) {
            return ListenerVariables.builder()
                    .trainingVariables(
                            ClipModel.IMAGE_EMBEDS, ClipModel.TEXT_EMBEDS, ClipModel.LOGITS)
                    .build();
        }

        @Override
        public boolean isActive(Operation operation) {
            return operation == Operation.TRAINING;
        }

        @Override
        public void activationAvailable(
                SameDiff sd,
                At at,
                org.nd4j.linalg.dataset.api.MultiDataSet batch,
                SameDiffOp op,
                String varName,
                INDArray activation) {
            if (ClipModel.IMAGE_EMBEDS.equals(varName)) {
                image = activation.dup('c').data().asFloat();
            } else if (ClipModel.TEXT_EMBEDS.equals(varName)) {
                text = activation.dup('c').data().asFloat();
            } else if (ClipModel.LOGITS.equals(varName)) {
                logits = activation.dup('c').data().asFloat();
            }
        }
    }
}
