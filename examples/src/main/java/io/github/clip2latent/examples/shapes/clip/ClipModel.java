package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.convert.graph.NamedTensor;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The small CLIP of {@link ClipConfig} as a SameDiff graph: both encoders, the symmetric InfoNCE
 * loss with a learned temperature, and the parameters. Training goes through {@link ClipTrainer};
 * export through {@link ClipOnnxExporter}.
 *
 * <p>Not thread-safe: SameDiff sessions and the parameter arrays are shared state.
 */
public final class ClipModel {

    /** Graph input: preprocessed pixels {@code [B, 3, S, S]}. */
    public static final String PIXEL_VALUES = "pixel_values";

    /** Graph input: token ids {@code [B, T]}. */
    public static final String INPUT_IDS = "input_ids";

    /** Graph output: L2-normalized image embeddings {@code [B, C]}. */
    public static final String IMAGE_EMBEDS = "image_embeds";

    /** Graph output: L2-normalized text embeddings {@code [B, C]}. */
    public static final String TEXT_EMBEDS = "text_embeds";

    /** The learned log temperature, a {@code [1, 1]} parameter. */
    public static final String LOGIT_SCALE = "logit_scale";

    /** CLIP's initial logit scale, {@code log(1 / 0.07)}. */
    public static final double INITIAL_LOGIT_SCALE = Math.log(1 / 0.07);

    /** CLIP's cap on the logit scale, {@code log(100)}; enforced after each update. */
    public static final double MAX_LOGIT_SCALE = Math.log(100);

    /**
     * Added to the squared norm before the square root, so a zero vector does not divide by zero.
     */
    public static final float NORM_EPSILON = 1e-12f;

    static final String TOKEN_WEIGHTS = "token_weights";
    static final String TARGETS = "targets";
    static final String LOGITS = "logits";
    static final String LOSS = "loss";

    /** Convolution geometry: kernel 4, stride 2, padding 1 halves the side exactly. */
    static final int KERNEL = 4;

    static final int STRIDE = 2;
    static final int PADDING = 1;

    private final ClipConfig config;
    private final SameDiff sd;

    private ClipModel(ClipConfig config, SameDiff sd) {
        this.config = config;
        this.sd = sd;
    }

    /**
     * A freshly initialized model: He-normal matrices and kernels, zero biases, token table {@code
     * N(0, 1)}, logit scale {@link #INITIAL_LOGIT_SCALE}.
     *
     * @param config the architecture
     * @param random the only source of the initial weights
     * @return the model
     */
    public static ClipModel initialize(ClipConfig config, RandomGenerator random) {
        checkNotNull(config, "config");
        checkNotNull(random, "random");
        SameDiff sd = SameDiff.create();
        Init init = new Init(sd, random);
        SDVariable textEmbeds = buildText(sd, config, init);
        SDVariable imageEmbeds = buildImage(sd, config, init);
        SDVariable logitScale =
                sd.var(
                        LOGIT_SCALE,
                        Nd4j.valueArrayOf(new long[] {1, 1}, (float) INITIAL_LOGIT_SCALE));
        // CLIP: logits_per_image = exp(logit_scale) * image_embeds @ text_embeds^T.
        SDVariable logits =
                sd.mmul(imageEmbeds, textEmbeds, false, true, false)
                        .mul(sd.math.exp(logitScale))
                        .rename(LOGITS);
        // Soft targets T[i, j] = 1 / n_i when captions i and j are equal (n_i copies in the batch):
        // the usual identity when captions are distinct, and no pushing apart of equal captions
        // otherwise. T is symmetric (so it also serves the transposed logits) and its rows sum to
        // 1,
        // so sum(T) = B.
        SDVariable targets = sd.placeHolder(TARGETS, DataType.FLOAT, -1, -1);
        // logSoftmax(x, dim) fails to clone for the gradient graph in M2.1 (a property setter
        // error), so both directions use the last-axis form; the text side on the transpose.
        SDVariable perImage = sd.sum(targets.mul(sd.nn.logSoftmax(logits)));
        SDVariable perText = sd.sum(targets.mul(sd.nn.logSoftmax(logits.permute(1, 0))));
        perImage.add(perText).neg().div(sd.sum(targets).mul(2.0)).rename(LOSS);
        sd.setLossVariables(LOSS);
        return new ClipModel(config, sd);
    }

    private static SDVariable buildText(SameDiff sd, ClipConfig c, Init init) {
        SDVariable ids = sd.placeHolder(INPUT_IDS, DataType.INT64, -1, c.contextLength());
        // Pooling weights 1 / (eotIndex + 1) at positions 0 .. eotIndex, else 0 (see tokenWeights).
        SDVariable weights = sd.placeHolder(TOKEN_WEIGHTS, DataType.FLOAT, -1, c.contextLength());
        SDVariable table = init.normal("text.token_table", 1.0, c.vocabularySize(), c.tokenDim());
        // Mean of table rows = (weighted bag of one-hots) x table, by linearity; pooling before the
        // product makes it [B, V] x [V, D] instead of [B T, V] x [V, D]. oneHot rather than gather,
        // which breaks fit() on a trainable table (dependencies.md).
        SDVariable oneHot = sd.oneHot(ids, c.vocabularySize(), -1, 1.0, 0.0, DataType.FLOAT);
        SDVariable bag = sd.sum(oneHot.mul(sd.expandDims(weights, 2)), 1);
        SDVariable pooled = sd.mmul(bag, table);
        SDVariable hidden =
                sd.nn.relu(
                        dense(sd, init, "text.fc1", pooled, c.tokenDim(), c.textHidden(), true), 0);
        SDVariable out =
                dense(sd, init, "text.fc2", hidden, c.textHidden(), c.embeddingDim(), false);
        return l2Normalize(sd, out).rename(TEXT_EMBEDS);
    }

    private static SDVariable buildImage(SameDiff sd, ClipConfig c, Init init) {
        SDVariable x =
                sd.placeHolder(PIXEL_VALUES, DataType.FLOAT, -1, 3, c.imageSize(), c.imageSize());
        int in = 3;
        for (int i = 0; i < c.convChannels().size(); i++) {
            int out = c.convChannels().get(i);
            String name = "image.conv" + i;
            // YXIO = [kH, kW, in, out], SameDiff's default; the exporter permutes to ONNX's OIYX.
            SDVariable w =
                    init.normal(
                            name + ".w",
                            Math.sqrt(2.0 / (in * KERNEL * KERNEL)),
                            KERNEL,
                            KERNEL,
                            in,
                            out);
            SDVariable b = init.zeros(name + ".b", out);
            Conv2DConfig conv =
                    Conv2DConfig.builder()
                            .kH(KERNEL)
                            .kW(KERNEL)
                            .sH(STRIDE)
                            .sW(STRIDE)
                            .pH(PADDING)
                            .pW(PADDING)
                            .dH(1)
                            .dW(1)
                            .paddingMode(PaddingMode.VALID)
                            .dataFormat(Conv2DConfig.NCHW)
                            .weightsFormat(WeightsFormat.YXIO)
                            .build();
            x = sd.nn.relu(sd.cnn.conv2d(x, w, b, conv), 0);
            in = out;
        }
        // Flatten NCHW in (channel, y, x) order, as ONNX Flatten does; keeps where things are.
        SDVariable flat = x.reshape(-1, c.flatFeatures());
        SDVariable hidden =
                sd.nn.relu(
                        dense(sd, init, "image.fc1", flat, c.flatFeatures(), c.imageHidden(), true),
                        0);
        SDVariable out =
                dense(sd, init, "image.fc2", hidden, c.imageHidden(), c.embeddingDim(), false);
        return l2Normalize(sd, out).rename(IMAGE_EMBEDS);
    }

    private static SDVariable dense(
            SameDiff sd, Init init, String name, SDVariable x, int in, int out, boolean relu) {
        // He-normal before a ReLU, LeCun-normal (1 / fan-in) before the normalization.
        double std = Math.sqrt((relu ? 2.0 : 1.0) / in);
        SDVariable w = init.normal(name + ".w", std, in, out);
        SDVariable b = init.zeros(name + ".b", out);
        return sd.mmul(x, w).add(b);
    }

    /** {@code x / sqrt(sum(x^2) + eps)} over the last axis, written the same way in ONNX. */
    private static SDVariable l2Normalize(SameDiff sd, SDVariable x) {
        SDVariable norm = sd.math.sqrt(sd.sum(x.mul(x), true, 1).add(NORM_EPSILON));
        return x.div(norm);
    }

    /**
     * Seeded parameter creation; every draw comes from the caller's generator, in a fixed order.
     */
    private record Init(SameDiff sd, RandomGenerator random) {
        SDVariable normal(String name, double std, long... shape) {
            int n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, (int) d);
            }
            float[] data = new float[n];
            for (int i = 0; i < n; i++) {
                data[i] = (float) (random.nextGaussian() * std);
            }
            return sd.var(name, Nd4j.create(data, shape, 'c'));
        }

        SDVariable zeros(String name, long... shape) {
            return sd.var(name, Nd4j.zeros(DataType.FLOAT, shape));
        }
    }

    /** The architecture. */
    public ClipConfig config() {
        return config;
    }

    /** The current logit scale parameter (log of the inverse temperature). */
    public double logitScale() {
        return sd.getVariable(LOGIT_SCALE).getArr().getDouble(0);
    }

    /**
     * A copy of one parameter, e.g. {@code "image.conv0.w"} ({@code [kH, kW, in, out]}) or {@code
     * "text.token_table"} ({@code [V, tokenDim]}); see {@link #parameterNames()}.
     *
     * @param name the parameter
     * @return its shape and values, row-major
     * @throws IllegalArgumentException for an unknown name
     */
    public NamedTensor parameter(String name) {
        checkArgument(
                parameterNames().contains(name),
                "no parameter '%s'; parameters are %s",
                name,
                parameterNames());
        INDArray arr = sd.getVariable(name).getArr();
        return new NamedTensor(name, arr.shape(), arr.dup('c').data().asFloat());
    }

    /** The names of the trainable parameters, in creation order. */
    public List<String> parameterNames() {
        List<String> names = new ArrayList<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                names.add(v.name());
            }
        }
        return Collections.unmodifiableList(names);
    }

    /** The number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (String name : parameterNames()) {
            n += sd.getVariable(name).getArr().length();
        }
        return n;
    }

    /**
     * Embeds preprocessed images with the SameDiff graph.
     *
     * @param pixels {@code [rows, 3, S, S]} as {@code ClipPreprocessor} makes them
     * @param rows the batch size
     * @return {@code [rows, C]}, L2-normalized
     */
    public float[] embedImages(float[] pixels, int rows) {
        int s = config.imageSize();
        checkArgument(rows >= 1, "rows must be >= 1, got %s", rows);
        checkArgument(
                pixels.length == rows * 3 * s * s,
                "pixels: need %s x 3 x %s x %s = %s values, got %s",
                rows,
                s,
                s,
                rows * 3 * s * s,
                pixels.length);
        INDArray x = Nd4j.create(pixels, new long[] {rows, 3, s, s}, 'c');
        return sd.output(Map.of(PIXEL_VALUES, x), IMAGE_EMBEDS)
                .get(IMAGE_EMBEDS)
                .dup('c')
                .data()
                .asFloat();
    }

    /**
     * Embeds token id rows with the SameDiff graph.
     *
     * @param ids {@code [rows, T]} as {@code ClipTokenizer.tokenizeBatch} makes them
     * @param rows the batch size
     * @return {@code [rows, C]}, L2-normalized
     * @throws IllegalArgumentException if an id is out of the vocabulary or a row has no end token
     */
    public float[] embedTexts(long[] ids, int rows) {
        checkArgument(rows >= 1, "rows must be >= 1, got %s", rows);
        Map<String, INDArray> feed =
                Map.of(INPUT_IDS, idArray(ids, rows), TOKEN_WEIGHTS, tokenWeights(ids, rows));
        return sd.output(feed, TEXT_EMBEDS).get(TEXT_EMBEDS).dup('c').data().asFloat();
    }

    INDArray idArray(long[] ids, int rows) {
        int t = config.contextLength();
        checkArgument(
                ids.length == rows * t,
                "ids: need %s x %s = %s values, got %s",
                rows,
                t,
                rows * t,
                ids.length);
        for (int i = 0; i < ids.length; i++) {
            checkArgument(
                    ids[i] >= 0 && ids[i] < config.vocabularySize(),
                    "id %s at row %s, position %s is outside" + " the vocabulary [0, %s)",
                    ids[i],
                    i / t,
                    i % t,
                    config.vocabularySize());
        }
        return Nd4j.createFromArray(ids).reshape(rows, t);
    }

    /**
     * Mean-pooling weights: {@code 1 / (e + 1)} at positions {@code 0 .. e}, e the first end token
     * of the row, as the exported graph computes them from the ids alone.
     */
    INDArray tokenWeights(long[] ids, int rows) {
        int t = config.contextLength();
        float[] w = new float[rows * t];
        for (int r = 0; r < rows; r++) {
            int eot = -1;
            for (int p = 0; p < t; p++) {
                if (ids[r * t + p] == config.endOfTextId()) {
                    eot = p;
                    break;
                }
            }
            checkArgument(eot >= 0, "row %s has no end token (id %s)", r, config.endOfTextId());
            for (int p = 0; p <= eot; p++) {
                w[r * t + p] = 1f / (eot + 1);
            }
        }
        return Nd4j.create(w, new long[] {rows, t}, 'c');
    }

    SameDiff sameDiff() {
        return sd;
    }
}
