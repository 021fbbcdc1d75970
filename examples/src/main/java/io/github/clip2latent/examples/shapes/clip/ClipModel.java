package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.convert.clip.ClipConfig;
import io.github.clip2latent.convert.clip.ClipWeights;
import io.github.clip2latent.convert.graph.NamedTensor;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A CLIP of OpenAI's architecture ({@code clip/model.py}: text transformer with token and
 * positional embeddings, causal mask, pre-LN residual attention blocks with QuickGELU MLPs, {@code
 * ln_final}, end-of-text pooling and {@code text_projection}; ViT image tower with a patchifying
 * {@code conv1}, class embedding, positional embedding, {@code ln_pre}, blocks, {@code ln_post} on
 * the class token and {@code proj}) as a SameDiff graph, with the symmetric contrastive loss and
 * learned logit scale of CLIP's training.
 *
 * <p>Every parameter has the name and shape of OpenAI's state dict, with one exception: the token
 * table is trained in the compact form of {@link TrainedTokens} ({@value #COMPACT_TOKEN_TABLE},
 * {@code [trained ids + 1, width]}), and {@link #weights()} expands it to the full {@code
 * token_embedding.weight}. So {@link ClipWeights} and {@code ClipGraphWriter}, which convert
 * OpenAI's published models, export this one unchanged: one architecture, two sources of weights,
 * one runtime path.
 *
 * <p>With a {@link ConvImageTower} (the bundle build's choice) the ViT is replaced by that CNN,
 * whose parameters use PyTorch's names ({@code visual.conv0.weight}, ...); {@link #weights} then
 * holds the text tower alone ({@link ClipWeights#textTower}) and {@link #convImageTowerWeights}
 * the CNN, which {@link ConvImageEncoderWriter} exports.
 *
 * <p>Both embeddings are raw (not normalized), as OpenAI's {@code encode_text} / {@code
 * encode_image}; the loss normalizes them. Not thread-safe: SameDiff sessions and the parameter
 * arrays are shared state.
 */
public final class ClipModel {

    /** Graph input: preprocessed pixels {@code [B, 3, R, R]}. */
    public static final String PIXEL_VALUES = "pixel_values";

    /** Graph input: compact token rows {@code [B, T]} (see {@link TrainedTokens#compactRow}). */
    static final String COMPACT_IDS = "compact_ids";

    /** Graph input: one-hot of each row's end-of-text position {@code [B, T]}. */
    static final String EOT_ONE_HOT = "eot_one_hot";

    /** Graph input: image-to-text soft targets {@code [B, B]}, rows summing to 1. */
    static final String IMAGE_TARGETS = "image_targets";

    /** Graph input: text-to-image soft targets {@code [B, B]}, rows summing to 1. */
    static final String TEXT_TARGETS = "text_targets";

    /** Graph output: raw image embeddings {@code [B, E]}. */
    public static final String IMAGE_EMBEDS = "image_embeds";

    /** Graph output: raw text embeddings {@code [B, E]}. */
    public static final String TEXT_EMBEDS = "text_embeds";

    /** The compact token table {@code [trained ids + 1, width]}, row 0 the unknown row. */
    public static final String COMPACT_TOKEN_TABLE = "token_embedding.compact";

    /** CLIP's initial logit scale, {@code log(1 / 0.07)}. */
    public static final double INITIAL_LOGIT_SCALE = Math.log(1 / 0.07);

    /** CLIP's cap on the logit scale, {@code log(100)}; enforced after each update. */
    public static final double MAX_LOGIT_SCALE = Math.log(100);

    /** Added to the squared norm before the square root in the loss's normalization. */
    public static final float NORM_EPSILON = 1e-12f;

    /** {@code nn.LayerNorm}'s default epsilon, as every CLIP LayerNorm. */
    static final double LN_EPS = 1e-5;

    /** QuickGELU's slope: {@code x * sigmoid(1.702 x)} (model.py {@code QuickGELU}). */
    static final double QUICK_GELU = 1.702;

    /** Stands in for -inf in the causal mask; exp underflows to exactly 0 either way. */
    static final float MASKED = -1e9f;

    static final String LOGITS = "logits";
    static final String LOSS = "loss";

    private final ClipConfig config;
    private final ConvImageTower convTower;
    private final TrainedTokens tokens;
    private final int endOfTextId;
    private final SameDiff sd;

    private ClipModel(
            ClipConfig config,
            ConvImageTower convTower,
            TrainedTokens tokens,
            int endOfTextId,
            SameDiff sd) {
        this.config = config;
        this.convTower = convTower;
        this.tokens = tokens;
        this.endOfTextId = endOfTextId;
        this.sd = sd;
    }

    /**
     * A freshly initialized model at the scales of {@code CLIP.initialize_parameters} ({@link
     * ClipWeights#random}, seeded from {@code random}).
     *
     * @param config the architecture; its vocabulary size must be the tokens'
     * @param tokens the trained token ids
     * @param endOfTextId the tokenizer's end-of-text id, which must be the largest id (as in CLIP,
     *     so that the arg-max pooling of the exported graph finds it)
     * @param random the only source of the initial weights
     * @return the model
     */
    public static ClipModel initialize(
            ClipConfig config, TrainedTokens tokens, int endOfTextId, RandomGenerator random) {
        return initialize(config, null, tokens, endOfTextId, random);
    }

    /**
     * A freshly initialized model with OpenAI's text tower and a convolutional image tower in place
     * of the ViT (whose fields of {@code config} are then not used, but its image resolution must
     * be the tower's). Text parameters as {@link #initialize(ClipConfig, TrainedTokens, int,
     * RandomGenerator)}; each convolution and dense weight uniform with He's standard deviation
     * {@code sqrt(2 / fan-in)} (LeCun's {@code sqrt(1 / fan-in)} for {@code fc2}), biases zero.
     *
     * @param config the text architecture and the image resolution
     * @param tower the image tower; {@code null} for OpenAI's ViT
     * @param tokens the trained token ids
     * @param endOfTextId the tokenizer's end-of-text id (the largest id)
     * @param random the only source of the initial weights
     * @return the model
     */
    public static ClipModel initialize(
            ClipConfig config,
            ConvImageTower tower,
            TrainedTokens tokens,
            int endOfTextId,
            RandomGenerator random) {
        checkNotNull(config, "config");
        checkNotNull(tokens, "tokens");
        checkNotNull(random, "random");
        checkArgument(
                config.vocabSize() == tokens.vocabularySize(),
                "config vocabulary %s differs from the trained tokens' %s",
                config.vocabSize(),
                tokens.vocabularySize());
        checkArgument(
                endOfTextId == config.vocabSize() - 1,
                "the end-of-text id must be the largest id %s (arg-max pooling), got %s",
                config.vocabSize() - 1,
                endOfTextId);
        checkArgument(
                tokens.contains(endOfTextId), "the end-of-text id must be among the trained ids");
        if (tower != null) {
            checkArgument(
                    tower.imageSize() == config.imageResolution()
                            && tower.embedDim() == config.embedDim(),
                    "conv image tower (image %s, embedding %s) does not match the config (%s, %s)",
                    tower.imageSize(),
                    tower.embedDim(),
                    config.imageResolution(),
                    config.embedDim());
        }
        ClipWeights init = ClipWeights.random(config, random.nextLong());
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> p = new LinkedHashMap<>();
        for (NamedTensor t : init.tensors().values()) {
            String name = t.name();
            if (tower != null && name.startsWith(ClipWeights.VISUAL_PREFIX)) {
                continue;
            }
            if (name.equals(ClipWeights.TOKEN_EMBEDDING)) {
                int w = config.textWidth();
                float[] full = t.data();
                float[] compact = new float[tokens.compactRows() * w];
                // Row 0 (unknown) starts as id 0's row; row 1 + k as the k-th trained id's.
                System.arraycopy(full, 0, compact, 0, w);
                int[] ids = tokens.ids();
                for (int k = 0; k < ids.length; k++) {
                    System.arraycopy(full, ids[k] * w, compact, (k + 1) * w, w);
                }
                p.put(
                        name,
                        sd.var(
                                COMPACT_TOKEN_TABLE,
                                Nd4j.create(compact, new long[] {tokens.compactRows(), w}, 'c')));
            } else if (name.equals(ClipWeights.LOGIT_SCALE)) {
                p.put(
                        name,
                        sd.var(
                                name,
                                Nd4j.valueArrayOf(
                                        new long[] {1, 1}, (float) INITIAL_LOGIT_SCALE)));
            } else {
                p.put(name, sd.var(name, Nd4j.create(t.data(), t.shape(), 'c')));
            }
        }
        if (tower != null) {
            for (Map.Entry<String, long[]> e : tower.parameterShapes().entrySet()) {
                long[] shape = e.getValue();
                long count = 1;
                for (long d : shape) {
                    count *= d;
                }
                float[] data = new float[(int) count];
                if (shape.length > 1) {
                    long fanIn = count / shape[0];
                    double gain = e.getKey().equals(ConvImageTower.FC2_WEIGHT) ? 1.0 : 2.0;
                    // Uniform on [-a, a] has standard deviation a / sqrt(3).
                    double a = Math.sqrt(3 * gain / fanIn);
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (float) ((random.nextDouble() * 2 - 1) * a);
                    }
                }
                p.put(e.getKey(), sd.var(e.getKey(), Nd4j.create(data, shape, 'c')));
            }
        }
        SDVariable text = buildText(sd, config, tokens, p);
        SDVariable image =
                tower == null ? buildImage(sd, config, p) : buildConvImage(sd, tower, p);
        // CLIP: logits_per_image = exp(logit_scale) * normalize(image) @ normalize(text)^T.
        SDVariable logits =
                sd.mmul(l2Normalize(sd, image), l2Normalize(sd, text), false, true, false)
                        .mul(sd.math.exp(p.get(ClipWeights.LOGIT_SCALE)))
                        .rename(LOGITS);
        // Symmetric cross-entropy with soft targets (one-hot when each image has exactly one true
        // caption in the batch, as in CLIP); logSoftmax on the last axis only (the dim form fails
        // to clone for the gradient graph in M2.1), the text side on the transpose.
        SDVariable imageTargets = sd.placeHolder(IMAGE_TARGETS, DataType.FLOAT, -1, -1);
        SDVariable textTargets = sd.placeHolder(TEXT_TARGETS, DataType.FLOAT, -1, -1);
        SDVariable perImage = sd.sum(imageTargets.mul(sd.nn.logSoftmax(logits)));
        SDVariable perText = sd.sum(textTargets.mul(sd.nn.logSoftmax(logits.permute(1, 0))));
        perImage.add(perText)
                .neg()
                .div(sd.sum(imageTargets).add(sd.sum(textTargets)))
                .rename(LOSS);
        sd.setLossVariables(LOSS);
        return new ClipModel(config, tower, tokens, endOfTextId, sd);
    }

    /** {@code CLIP.encode_text}, on rows of compact token ids. */
    private static SDVariable buildText(
            SameDiff sd, ClipConfig c, TrainedTokens tokens, Map<String, SDVariable> p) {
        int t = c.contextLength();
        int w = c.textWidth();
        int rows = tokens.compactRows();
        SDVariable ids = sd.placeHolder(COMPACT_IDS, DataType.INT64, -1, t);
        SDVariable eot = sd.placeHolder(EOT_ONE_HOT, DataType.FLOAT, -1, t);
        // token_embedding(text): a one-hot product rather than gather, which breaks fit() on a
        // trainable table in M2.1 (dependencies.md).
        SDVariable oneHot = sd.oneHot(ids, rows, -1, 1.0, 0.0, DataType.FLOAT).reshape(-1, rows);
        SDVariable x = sd.mmul(oneHot, p.get(ClipWeights.TOKEN_EMBEDDING)); // [B T, w]
        // + positional_embedding.
        x = x.reshape(-1, t, w).add(p.get(ClipWeights.TEXT_POSITIONAL).reshape(1, t, w));
        x = x.reshape(-1, w);
        // build_attention_mask: a token sees itself and the tokens before it.
        float[] mask = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                mask[i * t + j] = MASKED;
            }
        }
        SDVariable causal = sd.constant("causal_mask", Nd4j.create(mask, new long[] {1, t, t}, 'c'));
        for (int i = 0; i < c.textLayers(); i++) {
            x = block(sd, p, ClipWeights.TEXT_BLOCKS + i + ".", x, t, w, c.textHeads(), causal);
        }
        // x[arange(B), text.argmax(-1)]: the one-hot of the end-of-text position selects the row;
        // ln_final acts per token, so normalizing after the selection gives the same values.
        SDVariable pooled = sd.sum(x.reshape(-1, t, w).mul(sd.expandDims(eot, 2)), 1);
        pooled = layerNorm(sd, p, "ln_final", pooled);
        return sd.mmul(pooled, p.get(ClipWeights.TEXT_PROJECTION)).rename(TEXT_EMBEDS);
    }

    /** {@code VisionTransformer.forward}. */
    private static SDVariable buildImage(SameDiff sd, ClipConfig c, Map<String, SDVariable> p) {
        int r = c.imageResolution();
        int patch = c.visionPatchSize();
        int grid = c.grid();
        int w = c.visionWidth();
        int tokens = c.visionTokens();
        SDVariable px = sd.placeHolder(PIXEL_VALUES, DataType.FLOAT, -1, 3, r, r);
        // conv1 (kernel = stride = patch, no bias) as a product of flattened patches with the
        // kernel: patch (gy, gx) becomes token gy * grid + gx, features in (channel, ky, kx) order,
        // the order of conv1.weight's trailing axes.
        SDVariable patches =
                px.reshape(-1, 3, grid, patch, grid, patch)
                        .permute(0, 2, 4, 1, 3, 5)
                        .reshape(-1, 3L * patch * patch);
        SDVariable kernel = p.get(ClipWeights.CONV1).reshape(w, 3L * patch * patch);
        SDVariable x = sd.mmul(patches, kernel, false, true, false).reshape(-1, grid * grid, w);
        // cat([class_embedding + zeros(B, 1, width), x], dim=1) + positional_embedding.
        SDVariable cls =
                sd.sum(x, true, 1)
                        .mul(0.0)
                        .add(p.get(ClipWeights.CLASS_EMBEDDING).reshape(1, 1, w));
        x = sd.concat(1, cls, x).add(p.get(ClipWeights.VISION_POSITIONAL).reshape(1, tokens, w));
        x = layerNorm(sd, p, "visual.ln_pre", x.reshape(-1, w));
        for (int i = 0; i < c.visionLayers(); i++) {
            x = block(sd, p, ClipWeights.VISION_BLOCKS + i + ".", x, tokens, w, c.visionHeads(), null);
        }
        // ln_post(x[:, 0, :]) @ proj: a constant one-hot picks the class token.
        float[] first = new float[tokens];
        first[0] = 1;
        SDVariable select =
                sd.constant("class_token", Nd4j.create(first, new long[] {1, tokens, 1}, 'c'));
        SDVariable y = sd.sum(x.reshape(-1, tokens, w).mul(select), 1);
        y = layerNorm(sd, p, "visual.ln_post", y);
        return sd.mmul(y, p.get(ClipWeights.VISION_PROJECTION)).rename(IMAGE_EMBEDS);
    }

    /**
     * {@link ConvImageTower}: strided convolutions with ReLU, flatten, fc1 with ReLU, fc2.
     *
     * <p>Each convolution (kernel 4, stride 2, padding 1) is computed as one matrix product of
     * gathered patches with the kernel rather than with SameDiff's {@code conv2d}, whose backward
     * pass took about three tenths of a training step in M2.1 (about 1 GFLOP/s here): zero-pad by
     * one pixel, take the sixteen taps {@code padded[:, ky::2, kx::2, :]} as strided slices and
     * concatenate them into features {@code (ky, kx, c)}. The kernel keeps PyTorch's {@code [out,
     * in, 4, 4]} layout as the trained parameter and is rearranged in the graph, so the weights
     * export unchanged to ONNX's {@code Conv} ({@link ConvImageEncoderWriter}; {@code
     * ClipOnnxParityTest} compares the two). A step of the build's CLIP takes about a fifth less
     * time this way.
     */
    private static SDVariable buildConvImage(
            SameDiff sd, ConvImageTower tower, Map<String, SDVariable> p) {
        int s = tower.imageSize();
        SDVariable px = sd.placeHolder(PIXEL_VALUES, DataType.FLOAT, -1, 3, s, s);
        SDVariable x = px.permute(0, 2, 3, 1); // NHWC
        int side = s;
        int in = 3;
        for (int i = 0; i < tower.channels().size(); i++) {
            int out = tower.channels().get(i);
            x = convolve(sd, p, i, x, side, in, out);
            side = ConvImageTower.outputSide(side);
            in = out;
        }
        // Flatten in NCHW's (channel, y, x) order, as ONNX Flatten does.
        SDVariable flat = x.permute(0, 3, 1, 2).reshape(-1, tower.flatFeatures());
        SDVariable hidden =
                sd.nn.relu(
                        linear(sd, p, flat, ConvImageTower.FC1_WEIGHT, ConvImageTower.FC1_BIAS), 0);
        return linear(sd, p, hidden, ConvImageTower.FC2_WEIGHT, ConvImageTower.FC2_BIAS)
                .rename(IMAGE_EMBEDS);
    }

    /**
     * One {@link ConvImageTower} convolution with ReLU on NHWC {@code [B, side, side, in]}, to
     * {@code [B, outputSide, outputSide, out]}: PyTorch's {@code relu(conv2d(x, weight, bias,
     * stride=STRIDE, padding=PADDING))} as the product of gathered taps described at {@link
     * #buildConvImage}.
     */
    private static SDVariable convolve(
            SameDiff sd, Map<String, SDVariable> p, int layer, SDVariable x, int side, int in,
            int out) {
        int k = ConvImageTower.KERNEL;
        int stride = ConvImageTower.STRIDE;
        int pad = ConvImageTower.PADDING;
        int outSide = ConvImageTower.outputSide(side);
        // Zero padding on each side; x * 0 keeps the batch size dynamic.
        SDVariable rowZeros = x.get(SDIndex.all(), SDIndex.interval(0, pad)).mul(0.0);
        x = sd.concat(1, rowZeros, x, rowZeros);
        SDVariable columnZeros =
                x.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(0, pad)).mul(0.0);
        x = sd.concat(2, columnZeros, x, columnZeros);
        // Tap (ky, kx) of every output pixel: padded[:, ky::stride, kx::stride, :], outSide of
        // each (strided slices; M2.1's space_to_depth and 6-D permutes each cost more than all
        // sixteen).
        int span = stride * (outSide - 1) + 1;
        SDVariable[] taps = new SDVariable[k * k];
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                taps[ky * k + kx] =
                        x.get(
                                SDIndex.all(),
                                SDIndex.interval(ky, stride, ky + span),
                                SDIndex.interval(kx, stride, kx + span));
            }
        }
        long features = (long) k * k * in;
        SDVariable patches = sd.concat(3, taps).reshape(-1, features);
        // weight[o, c, ky, kx] -> kernel[(ky, kx, c), o].
        SDVariable kernel =
                p.get(ConvImageTower.convWeight(layer)).permute(2, 3, 1, 0).reshape(features, out);
        SDVariable y = sd.mmul(patches, kernel).add(p.get(ConvImageTower.convBias(layer)));
        return sd.nn.relu(y, 0).reshape(-1, outSide, outSide, out);
    }

    /**
     * {@code ResidualAttentionBlock.forward}: {@code x + attn(ln_1(x))}, then {@code x +
     * mlp(ln_2(x))}, on tokens flattened to {@code [B L, width]}.
     */
    private static SDVariable block(
            SameDiff sd,
            Map<String, SDVariable> p,
            String prefix,
            SDVariable x,
            int length,
            int width,
            int heads,
            SDVariable mask) {
        int dh = width / heads;
        // nn.MultiheadAttention: packed in-projection, softmax(q k^T / sqrt(dh) + mask) v.
        SDVariable h = layerNorm(sd, p, prefix + "ln_1", x);
        SDVariable qkv = linear(sd, p, h, prefix + "attn.in_proj_weight", prefix + "attn.in_proj_bias");
        SDVariable q = heads(qkv.get(SDIndex.all(), SDIndex.interval(0, width)), length, heads, dh);
        SDVariable k =
                heads(qkv.get(SDIndex.all(), SDIndex.interval(width, 2 * width)), length, heads, dh);
        SDVariable v =
                heads(
                        qkv.get(SDIndex.all(), SDIndex.interval(2 * width, 3 * width)),
                        length,
                        heads,
                        dh);
        SDVariable scores = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(dh));
        if (mask != null) {
            scores = scores.add(mask);
        }
        SDVariable out = sd.mmul(sd.nn.softmax(scores, 2), v); // [B H, L, dh]
        out = out.reshape(-1, heads, length, dh).permute(0, 2, 1, 3).reshape(-1, width);
        x = x.add(linear(sd, p, out, prefix + "attn.out_proj.weight", prefix + "attn.out_proj.bias"));
        // c_fc -> QuickGELU -> c_proj.
        h = layerNorm(sd, p, prefix + "ln_2", x);
        h = linear(sd, p, h, prefix + "mlp.c_fc.weight", prefix + "mlp.c_fc.bias");
        h = h.mul(sd.nn.sigmoid(h.mul(QUICK_GELU)));
        h = linear(sd, p, h, prefix + "mlp.c_proj.weight", prefix + "mlp.c_proj.bias");
        return x.add(h);
    }

    /** {@code [B L, H dh]} to {@code [B H, L, dh]}. */
    private static SDVariable heads(SDVariable x, int length, int heads, int dh) {
        return x.reshape(-1, length, heads, dh).permute(0, 2, 1, 3).reshape(-1, length, dh);
    }

    /** {@code nn.Linear}: {@code x W^T + b}, W in PyTorch's {@code (out, in)} layout. */
    private static SDVariable linear(
            SameDiff sd, Map<String, SDVariable> p, SDVariable x, String weight, String bias) {
        return sd.mmul(x, p.get(weight), false, true, false).add(p.get(bias));
    }

    /**
     * {@code nn.LayerNorm} over the last axis of a 2-D input, epsilon 1e-5, biased variance.
     * Written out because ND4J's fused {@code layer_norm} differs from PyTorch's by up to 2.4e-4
     * in the embeddings (measured in ClipOnnxParityTest), more than the 1e-4 parity bound.
     */
    private static SDVariable layerNorm(
            SameDiff sd, Map<String, SDVariable> p, String prefix, SDVariable x) {
        SDVariable centered = x.sub(sd.mean(x, true, 1));
        SDVariable variance = sd.mean(centered.mul(centered), true, 1);
        return centered
                .mul(sd.math.rsqrt(variance.add(LN_EPS)))
                .mul(p.get(prefix + ".weight"))
                .add(p.get(prefix + ".bias"));
    }

    /** {@code x / sqrt(sum(x^2) + eps)} over the last axis. */
    private static SDVariable l2Normalize(SameDiff sd, SDVariable x) {
        return x.div(sd.math.sqrt(sd.sum(x.mul(x), true, 1).add(NORM_EPSILON)));
    }

    /** The architecture. */
    public ClipConfig config() {
        return config;
    }

    /** The trained token ids. */
    public TrainedTokens tokens() {
        return tokens;
    }

    /** The end-of-text id. */
    public int endOfTextId() {
        return endOfTextId;
    }

    /** The current logit scale parameter (log of the inverse temperature). */
    public double logitScale() {
        return sd.getVariable(ClipWeights.LOGIT_SCALE).getArr().getDouble(0);
    }

    /** The number of trainable scalars (with the compact token table). */
    public long parameterCount() {
        long n = 0;
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
                n += v.getArr().length();
            }
        }
        return n;
    }

    /**
     * The current parameters under OpenAI's names and shapes, the token table expanded to the full
     * vocabulary (every untrained id a copy of the unknown row), {@code logit_scale} a scalar.
     *
     * @return the weights, ready for {@code ClipGraphWriter}
     */
    public ClipWeights weights() {
        Map<String, NamedTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : ClipWeights.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            if (convTower != null && name.startsWith(ClipWeights.VISUAL_PREFIX)) {
                continue;
            }
            float[] data;
            if (name.equals(ClipWeights.TOKEN_EMBEDDING)) {
                data =
                        tokens.expand(
                                sd.getVariable(COMPACT_TOKEN_TABLE).getArr().dup('c').data().asFloat(),
                                config.textWidth());
            } else {
                data = sd.getVariable(name).getArr().dup('c').data().asFloat();
            }
            out.put(name, new NamedTensor(name, e.getValue(), data));
        }
        String source = "world CLIP trained in SameDiff";
        return convTower == null
                ? ClipWeights.of(config, out, source)
                : ClipWeights.textTower(config, out, source);
    }

    /**
     * The convolutional image tower, when this model has one.
     *
     * @return the tower, or empty for OpenAI's ViT
     */
    public Optional<ConvImageTower> convImageTower() {
        return Optional.ofNullable(convTower);
    }

    /**
     * The current parameters of the convolutional image tower under their PyTorch names and
     * layouts.
     *
     * @return name to tensor, in {@link ConvImageTower#parameterShapes} order
     * @throws IllegalStateException when this model's image tower is OpenAI's ViT (see {@link
     *     #weights})
     */
    public Map<String, NamedTensor> convImageTowerWeights() {
        if (convTower == null) {
            throw new IllegalStateException("this model's image tower is the ViT: see weights()");
        }
        Map<String, NamedTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : convTower.parameterShapes().entrySet()) {
            float[] data = sd.getVariable(e.getKey()).getArr().dup('c').data().asFloat();
            out.put(e.getKey(), new NamedTensor(e.getKey(), e.getValue(), data));
        }
        return out;
    }

    /**
     * Embeds preprocessed images with the SameDiff graph.
     *
     * @param pixels {@code [rows, 3, R, R]} as {@code ClipPreprocessor} makes them
     * @param rows the batch size
     * @return {@code [rows, E]}, raw
     */
    public float[] embedImages(float[] pixels, int rows) {
        int r = config.imageResolution();
        checkArgument(rows >= 1, "rows must be >= 1, got %s", rows);
        checkArgument(
                pixels.length == rows * 3 * r * r,
                "pixels: need %s x 3 x %s x %s = %s values, got %s",
                rows,
                r,
                r,
                rows * 3 * r * r,
                pixels.length);
        INDArray x = Nd4j.create(pixels, new long[] {rows, 3, r, r}, 'c');
        return sd.output(Map.of(PIXEL_VALUES, x), IMAGE_EMBEDS)
                .get(IMAGE_EMBEDS)
                .dup('c')
                .data()
                .asFloat();
    }

    /**
     * Embeds token id rows (full-vocabulary ids, as the tokenizer makes them) with the SameDiff
     * graph.
     *
     * @param ids {@code [rows, T]}
     * @param rows the batch size
     * @return {@code [rows, E]}, raw
     * @throws IllegalArgumentException if an id is outside the vocabulary or a row has no end token
     */
    public float[] embedTexts(long[] ids, int rows) {
        checkArgument(rows >= 1, "rows must be >= 1, got %s", rows);
        Map<String, INDArray> feed =
                Map.of(COMPACT_IDS, compactIds(ids, rows), EOT_ONE_HOT, endOfTextOneHot(ids, rows));
        return sd.output(feed, TEXT_EMBEDS).get(TEXT_EMBEDS).dup('c').data().asFloat();
    }

    /** The compact rows of full-vocabulary ids {@code [rows, T]}. */
    INDArray compactIds(long[] ids, int rows) {
        int t = config.contextLength();
        checkArgument(
                ids.length == rows * t,
                "ids: need %s x %s = %s values, got %s",
                rows,
                t,
                rows * t,
                ids.length);
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = tokens.compactRow(ids[i]);
        }
        return Nd4j.createFromArray(out).reshape(rows, t);
    }

    /**
     * One-hot of each row's arg-max id position (its first end-of-text token), the position
     * {@code text.argmax(dim=-1)} reads in {@code encode_text}.
     */
    INDArray endOfTextOneHot(long[] ids, int rows) {
        int t = config.contextLength();
        float[] w = new float[rows * t];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int j = 1; j < t; j++) {
                if (ids[r * t + j] > ids[r * t + best]) {
                    best = j;
                }
            }
            checkArgument(
                    ids[r * t + best] == endOfTextId,
                    "row %s has no end-of-text token (id %s): %s",
                    r,
                    endOfTextId,
                    Arrays.toString(Arrays.copyOfRange(ids, r * t, r * t + t)));
            w[r * t + best] = 1;
        }
        return Nd4j.create(w, new long[] {rows, t}, 'c');
    }

    SameDiff sameDiff() {
        return sd;
    }
}
