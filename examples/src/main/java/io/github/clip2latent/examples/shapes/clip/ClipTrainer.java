package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.bundle.ImagePreprocessing;
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

import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
                new ClipPreprocessor(ImagePreprocessing.clip(model.config().imageSize()));
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
                tokenizer.vocabularySize() == c.vocabularySize()
                        && tokenizer.contextLength() == c.contextLength()
                        && tokenizer.endOfTextId() == c.endOfTextId(),
                "tokenizer (vocabulary %s, context %s, end token %s) does not match the model (%s,"
                        + " %s, %s)",
                tokenizer.vocabularySize(),
                tokenizer.contextLength(),
                tokenizer.endOfTextId(),
                c.vocabularySize(),
                c.contextLength(),
                c.endOfTextId());
        model.sameDiff()
                .setTrainingConfig(
                        TrainingConfig.builder()
                                .updater(
                                        new Adam(
                                                options.learningRate(),
                                                options.beta1(),
                                                options.beta2(),
                                                options.epsilon()))
                                .dataSetFeatureMapping(
                                        ClipModel.PIXEL_VALUES,
                                        ClipModel.INPUT_IDS,
                                        ClipModel.TOKEN_WEIGHTS,
                                        ClipModel.TARGETS)
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
            float[] targets = targets(batch.captions());
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
                            model.config().embeddingDim(),
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

    /** The four graph inputs of a batch, in the order of the feature mapping. */
    MultiDataSet features(ContrastiveBatch batch) {
        return features(batch, targets(batch.captions()));
    }

    private MultiDataSet features(ContrastiveBatch batch, float[] targets) {
        ClipConfig c = model.config();
        int rows = batch.rows();
        int s = c.imageSize();
        float[] pixels = new float[rows * 3 * s * s];
        preprocessor.apply(batch.images(), rows, batch.height(), batch.width(), pixels);
        long[] ids = tokenizer.tokenizeBatch(batch.captions());
        INDArray[] inputs = {
            Nd4j.create(pixels, new long[] {rows, 3, s, s}, 'c'),
            model.idArray(ids, rows),
            model.tokenWeights(ids, rows),
            Nd4j.create(targets, new long[] {rows, rows}, 'c'),
        };
        return new MultiDataSet(inputs, new INDArray[0]);
    }

    /** {@code T[i, j] = 1 / n_i} when captions i and j are equal, n_i the copies of caption i. */
    static float[] targets(List<String> captions) {
        int n = captions.size();
        Map<String, Integer> counts = new HashMap<>();
        for (String c : captions) {
            counts.merge(c, 1, Integer::sum);
        }
        float[] t = new float[n * n];
        for (int i = 0; i < n; i++) {
            float w = 1f / counts.get(captions.get(i));
            for (int j = 0; j < n; j++) {
                if (captions.get(i).equals(captions.get(j))) {
                    t[i * n + j] = w;
                }
            }
        }
        return t;
    }

    /**
     * The symmetric InfoNCE loss with soft targets, as ClipModel's graph computes it: {@code
     * -(sum(T * logSoftmax_rows(L)) + sum(T * logSoftmax_columns(L))) / (2 B)}.
     */
    static double infoNce(float[] logits, float[] targets, int n) {
        double total = 0;
        for (int pass = 0; pass < 2; pass++) {
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
                    total -= targets[k] * (logits[k] - logZ);
                }
            }
        }
        return total / (2.0 * n);
    }

    /** CLIP clamps the logit scale to at most log(100) after each step, so logits stay bounded. */
    private static void clampLogitScale(SameDiff sd) {
        INDArray scale = sd.getVariable(ClipModel.LOGIT_SCALE).getArr();
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
