package io.github.clip2latent.train.model;

import io.github.clip2latent.convert.prior.PriorConfig;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The clip2latent prior (DALLE2-pytorch 0.2.38 {@code DiffusionPriorNetwork}, reference section 3)
 * as a SameDiff graph that predicts x0 from {@code (x_t, t, condition, keep)} and can compute its
 * own MSE loss and parameter gradients.
 *
 * <p>Parameters carry the reference checkpoint keys without the {@code
 * ema_diffusion_prior.ema_model.} prefix; linear weights are stored in PyTorch layout {@code (out,
 * in)}. The non-trainable buffers of the reference ({@code rotary_emb.freqs}, LayerNorm {@code
 * beta}) are graph constants here.
 *
 * <p>Not thread-safe: one instance owns one graph and its parameter arrays, which the optimizer
 * updates in place.
 */
public final class TrainablePrior {

    /** Placeholder name of the noised latent x_t, float [B, dim]. */
    public static final String INPUT_X_T = "x_t";

    /** Placeholder name of the diffusion step t, int32 [B], values in [0, timesteps). */
    public static final String INPUT_T = "t";

    /** Placeholder name of the condition (raw CLIP embedding), float [B, dim]. */
    public static final String INPUT_CONDITION = "condition";

    /**
     * Placeholder name of the keep flag, float [B]: 1 attends to the condition, 0 masks its key.
     */
    public static final String INPUT_KEEP = "keep";

    /** Placeholder name of the regression target x0, float [B, dim]; only needed for the loss. */
    public static final String INPUT_TARGET = "x0";

    /** Output name of the predicted x0, float [B, dim]. */
    public static final String OUTPUT_PREDICTION = "prediction";

    /** Output name of the scalar mean squared error between prediction and target. */
    public static final String OUTPUT_LOSS = "loss";

    /**
     * Stands in for PyTorch's {@code -finfo(float32).max} fill of masked scores. It is added rather
     * than filled so the graph stays differentiable with finite gradients; a masked probability is
     * exactly 0 in float32 either way, and at most two such terms meet in one score so there is no
     * overflow.
     */
    static final float MASK_VALUE = -1e30f;

    private static final float LAYER_NORM_EPS = 1e-5f;

    private final PriorConfig config;
    private final SameDiff sd;
    private final List<String> names;
    private final Map<String, long[]> shapes;
    private final Map<String, INDArray> parameters;

    private TrainablePrior(
            PriorConfig config, Map<String, long[]> shapes, Map<String, float[]> initial) {
        this.config = config;
        this.shapes = shapes;
        this.names = List.copyOf(shapes.keySet());
        this.sd = SameDiff.create();
        Map<String, SDVariable> vars = new LinkedHashMap<>();
        for (String name : names) {
            INDArray array = Nd4j.create(initial.get(name), shapes.get(name), 'c');
            vars.put(name, sd.var(name, array));
        }
        build(vars);
        Map<String, INDArray> live = new LinkedHashMap<>();
        for (String name : names) {
            live.put(name, sd.getArrForVarName(name));
        }
        this.parameters = Collections.unmodifiableMap(live);
    }

    /**
     * Creates a network with PyTorch's default initialization: linear weights {@code U(-1/sqrt(in),
     * 1/sqrt(in))} (kaiming_uniform with a = sqrt(5)), embeddings, learned query and null key/value
     * {@code N(0, 1)}, LayerNorm gains 1.
     *
     * @param config network shape
     * @param seed seed of the initialization; equal seeds give equal weights
     * @return a new network
     */
    public static TrainablePrior create(PriorConfig config, long seed) {
        Objects.requireNonNull(config, "config");
        Map<String, long[]> shapes = parameterShapes(config);
        RandomGenerator random = new SplittableRandom(seed);
        Map<String, float[]> init = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            float[] data = new float[(int) numel(shape)];
            if (name.endsWith("gamma")) {
                java.util.Arrays.fill(data, 1f);
            } else if (name.endsWith(".weight")
                    && !name.startsWith("net.to_time_embeds")
                    && !name.contains("rel_pos_bias")) {
                double bound = 1.0 / Math.sqrt(shape[1]);
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                }
            } else {
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) random.nextGaussian();
                }
            }
            init.put(name, data);
        }
        return new TrainablePrior(config, shapes, init);
    }

    /**
     * Creates a network holding the given weights.
     *
     * @param config network shape
     * @param weights one row-major array per parameter name, as returned by {@link #weights()}
     * @return a new network
     * @throws IllegalArgumentException if a name is missing, unknown or has the wrong length
     */
    public static TrainablePrior fromWeights(PriorConfig config, Map<String, float[]> weights) {
        Objects.requireNonNull(config, "config");
        Map<String, long[]> shapes = parameterShapes(config);
        checkWeights(shapes, weights);
        return new TrainablePrior(config, shapes, weights);
    }

    /**
     * The parameter names and shapes of a network, in a fixed order (embeddings, then blocks, then
     * the output head), named as the reference checkpoint keys.
     *
     * @param config network shape
     * @return an ordered, unmodifiable map from name to PyTorch-layout shape
     */
    public static Map<String, long[]> parameterShapes(PriorConfig config) {
        int d = config.dim();
        int h = config.heads();
        int dh = config.dimHead();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("net.learned_query", new long[] {d});
        s.put("net.to_time_embeds.0.weight", new long[] {config.timesteps(), d});
        s.put(
                "net.causal_transformer.rel_pos_bias.relative_attention_bias.weight",
                new long[] {PriorConfig.REL_POS_BUCKETS, h});
        for (int i = 0; i < config.depth(); i++) {
            String p = "net.causal_transformer.layers." + i + ".";
            s.put(p + "0.norm.gamma", new long[] {d});
            s.put(p + "0.null_kv", new long[] {2, dh});
            s.put(p + "0.to_q.weight", new long[] {(long) h * dh, d});
            s.put(p + "0.to_kv.weight", new long[] {2L * dh, d});
            s.put(p + "0.to_out.0.weight", new long[] {d, (long) h * dh});
            s.put(p + "0.to_out.1.gamma", new long[] {d});
            s.put(p + "1.0.gamma", new long[] {d});
            s.put(p + "1.1.weight", new long[] {8L * d, d});
            s.put(p + "1.5.weight", new long[] {d, 4L * d});
        }
        s.put("net.causal_transformer.norm.gamma", new long[] {d});
        s.put("net.causal_transformer.project_out.weight", new long[] {d, d});
        return Collections.unmodifiableMap(s);
    }

    /** The network shape. */
    public PriorConfig config() {
        return config;
    }

    /** Parameter names in their fixed order. */
    public List<String> parameterNames() {
        return names;
    }

    /**
     * Shape of one parameter in PyTorch layout.
     *
     * @param name a parameter name
     * @return a copy of its shape
     */
    public long[] parameterShape(String name) {
        long[] shape = shapes.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("unknown parameter: " + name);
        }
        return shape.clone();
    }

    /**
     * The live parameter arrays, updated in place by the optimizer. Callers must not replace or
     * reshape them; write through {@code assign} or in-place ops only.
     *
     * @return an unmodifiable ordered map from name to the graph's own array
     */
    public Map<String, INDArray> parameterArrays() {
        return parameters;
    }

    /**
     * Copies every parameter out as a row-major float array.
     *
     * @return a new ordered map from name to data; shapes via {@link #parameterShape(String)}
     */
    public Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String name : names) {
            out.put(name, parameters.get(name).dup('c').data().asFloat());
        }
        return out;
    }

    /**
     * Overwrites every parameter in place with the given values.
     *
     * @param weights one row-major array per parameter name
     * @throws IllegalArgumentException if a name is missing, unknown or has the wrong length
     */
    public void loadWeights(Map<String, float[]> weights) {
        checkWeights(shapes, weights);
        for (String name : names) {
            parameters.get(name).assign(Nd4j.create(weights.get(name), shapes.get(name), 'c'));
        }
    }

    /**
     * Runs the forward pass.
     *
     * @param xt noised latents, row-major [batch, dim]
     * @param t diffusion steps, [batch], each in [0, timesteps)
     * @param condition condition embeddings, row-major [batch, dim]
     * @param keep per-sample 1 (attend to the condition) or 0 (mask it), [batch]
     * @return the predicted x0, row-major [batch, dim]
     */
    public float[] predict(float[] xt, int[] t, float[] condition, float[] keep) {
        int batch = t.length;
        Map<String, INDArray> feed = feed(xt, t, condition, keep, null, batch);
        return sd.output(feed, OUTPUT_PREDICTION).get(OUTPUT_PREDICTION).dup('c').data().asFloat();
    }

    /**
     * Computes the loss {@code mean((prediction - x0)^2)} and its gradient with respect to every
     * parameter (reference section 2, {@code predict_x_start} with MSE).
     *
     * @param xt noised latents, row-major [batch, dim]
     * @param t diffusion steps, [batch]
     * @param condition condition embeddings, row-major [batch, dim]
     * @param keep per-sample keep flags, [batch]
     * @param x0 regression targets, row-major [batch, dim]
     * @return the loss and one gradient array per parameter name (owned by the caller)
     */
    public LossAndGradients lossAndGradients(
            float[] xt, int[] t, float[] condition, float[] keep, float[] x0) {
        int batch = t.length;
        Map<String, INDArray> feed = feed(xt, t, condition, keep, x0, batch);
        OutAndGrad result = sd.calculateGradientsAndOutputs(feed, List.of(OUTPUT_LOSS), names);
        float loss = result.getOutputs().get(OUTPUT_LOSS).getFloat(0);
        return new LossAndGradients(loss, result.getGradients());
    }

    /**
     * The loss of one batch and the parameter gradients.
     *
     * @param loss mean squared error over the batch and all dimensions
     * @param gradients gradient per parameter name, same shapes as the parameters
     */
    public record LossAndGradients(float loss, Map<String, INDArray> gradients) {}

    private Map<String, INDArray> feed(
            float[] xt, int[] t, float[] condition, float[] keep, float[] x0, int batch) {
        int d = config.dim();
        checkLength("x_t", xt, (long) batch * d);
        checkLength("condition", condition, (long) batch * d);
        checkLength("keep", keep, batch);
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        for (int step : t) {
            if (step < 0 || step >= config.timesteps()) {
                throw new IllegalArgumentException(
                        "t must be in [0, " + config.timesteps() + "), got " + step);
            }
        }
        Map<String, INDArray> feed = new LinkedHashMap<>();
        feed.put(INPUT_X_T, Nd4j.create(xt, new long[] {batch, d}, 'c'));
        feed.put(INPUT_T, Nd4j.createFromArray(t.clone()));
        feed.put(INPUT_CONDITION, Nd4j.create(condition, new long[] {batch, d}, 'c'));
        feed.put(INPUT_KEEP, Nd4j.create(keep, new long[] {batch}, 'c'));
        if (x0 != null) {
            checkLength("x0", x0, (long) batch * d);
            feed.put(INPUT_TARGET, Nd4j.create(x0, new long[] {batch, d}, 'c'));
        }
        return feed;
    }

    private static void checkLength(String what, float[] data, long expected) {
        if (data.length != expected) {
            throw new IllegalArgumentException(
                    what + " must have " + expected + " values, got " + data.length);
        }
    }

    private static void checkWeights(Map<String, long[]> shapes, Map<String, float[]> weights) {
        Objects.requireNonNull(weights, "weights");
        for (String name : weights.keySet()) {
            if (!shapes.containsKey(name)) {
                throw new IllegalArgumentException("unknown parameter: " + name);
            }
        }
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            float[] data = weights.get(e.getKey());
            if (data == null) {
                throw new IllegalArgumentException("missing parameter: " + e.getKey());
            }
            long n = numel(e.getValue());
            if (data.length != n) {
                throw new IllegalArgumentException(
                        "parameter "
                                + e.getKey()
                                + " must have "
                                + n
                                + " values, got "
                                + data.length);
            }
        }
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    // ---------------------------------------------------------------- graph

    private void build(Map<String, SDVariable> p) {
        final int d = config.dim();
        final int h = config.heads();
        final int dh = config.dimHead();
        final int n = PriorConfig.TOKENS;
        final int keys = n + 1;

        SDVariable xt = sd.placeHolder(INPUT_X_T, DataType.FLOAT, -1, d);
        SDVariable t = sd.placeHolder(INPUT_T, DataType.INT32, -1);
        SDVariable cond = sd.placeHolder(INPUT_CONDITION, DataType.FLOAT, -1, d);
        SDVariable keep = sd.placeHolder(INPUT_KEEP, DataType.FLOAT, -1);
        SDVariable target = sd.placeHolder(INPUT_TARGET, DataType.FLOAT, -1, d);

        // [B, 1] of ones, used to broadcast learned vectors over the batch by an outer product,
        // which has a plain mmul gradient.
        SDVariable ones = sd.reshape(keep, -1, 1).mul(0.0).add(1.0);

        // Time embedding: one-hot x table, because gather on a trainable table breaks training in
        // ND4J M2.1 (dependencies.md).
        SDVariable oneHot = sd.oneHot(t, config.timesteps(), -1, 1.0, 0.0, DataType.FLOAT);
        SDVariable timeEmb = sd.mmul(oneHot, p.get("net.to_time_embeds.0.weight"));
        SDVariable query = sd.mmul(ones, sd.reshape(p.get("net.learned_query"), 1, d));

        // Token order of DiffusionPriorNetwork.forward: [condition, time, x_t, learned query].
        SDVariable x =
                sd.concat(
                        1,
                        sd.reshape(cond, -1, 1, d),
                        sd.reshape(timeEmb, -1, 1, d),
                        sd.reshape(xt, -1, 1, d),
                        sd.reshape(query, -1, 1, d));
        x = sd.reshape(x, -1, d); // [B*4, D]: every linear layer runs as one 2-D mmul

        Rotary rotary = Rotary.create(n, dh, config.rotaryDim());
        SDVariable cos = sd.constant(Nd4j.create(rotary.cos, new long[] {n, dh}, 'c'));
        SDVariable sin = sd.constant(Nd4j.create(rotary.sin, new long[] {n, dh}, 'c'));
        SDVariable rot = sd.constant(Nd4j.create(rotary.rotateHalf, new long[] {dh, dh}, 'c'));

        // Relative position bias [H, 4, 5]: bucket max(i - j, 0), key 0 = null key (section 3).
        SDVariable bucketSelect =
                sd.constant(
                        Nd4j.create(
                                relPosSelector(n, keys),
                                new long[] {(long) n * keys, PriorConfig.REL_POS_BUCKETS},
                                'c'));
        SDVariable bias =
                sd.reshape(
                        sd.permute(
                                sd.mmul(
                                        bucketSelect,
                                        p.get(
                                                "net.causal_transformer.rel_pos_bias.relative_attention_bias.weight")),
                                1,
                                0),
                        h,
                        n,
                        keys);
        // Causal mask: query i sees the null key and tokens 0..i (torch triu(j - i + 1)).
        SDVariable causal =
                sd.constant(Nd4j.create(causalMask(n, keys), new long[] {n, keys}, 'c'));
        // Key mask [1, keep, 1, 1, 1]: a dropped condition is hidden from every query.
        float[] condKey = new float[keys];
        condKey[1] = MASK_VALUE;
        SDVariable keyMask =
                sd.reshape(
                        sd.mmul(
                                sd.reshape(keep.rsub(1.0), -1, 1),
                                sd.constant(Nd4j.create(condKey, new long[] {1, keys}, 'c'))),
                        -1,
                        1,
                        1,
                        keys);
        SDVariable attnBias = bias.add(causal).add(keyMask); // [B, H, 4, 5]

        for (int i = 0; i < config.depth(); i++) {
            String pre = "net.causal_transformer.layers." + i + ".";
            x = x.add(attention(x, pre, p, ones, attnBias, cos, sin, rot));
            x = x.add(feedForward(x, pre, p));
        }

        SDVariable last =
                sd.reshape(x, -1, n, d).get(SDIndex.all(), SDIndex.point(n - 1), SDIndex.all());
        last = layerNorm(sd.reshape(last, -1, d), p.get("net.causal_transformer.norm.gamma"));
        SDVariable prediction = linear(last, p.get("net.causal_transformer.project_out.weight"));
        prediction = sd.identity(OUTPUT_PREDICTION, prediction);

        SDVariable diff = prediction.sub(target);
        sd.mean(OUTPUT_LOSS, sd.math.square(diff));
        sd.setLossVariables(OUTPUT_LOSS);
    }

    /**
     * One multi-query attention block {@code to_out(attn(LN(x)))} of DALLE2-pytorch {@code
     * Attention}.
     */
    private SDVariable attention(
            SDVariable x,
            String pre,
            Map<String, SDVariable> p,
            SDVariable ones,
            SDVariable attnBias,
            SDVariable cos,
            SDVariable sin,
            SDVariable rot) {
        final int d = config.dim();
        final int h = config.heads();
        final int dh = config.dimHead();
        final int n = PriorConfig.TOKENS;
        final int keys = n + 1;

        SDVariable hidden = layerNorm(x, p.get(pre + "0.norm.gamma"));
        SDVariable wkv = p.get(pre + "0.to_kv.weight");
        SDVariable nullKv = p.get(pre + "0.null_kv");

        // q = Wq h, split into heads, scaled by dimHead^-0.5 before rotary (order is immaterial:
        // both are linear).
        SDVariable q = linear(hidden, p.get(pre + "0.to_q.weight"));
        q =
                sd.permute(sd.reshape(q, -1, n, h, dh), 0, 2, 1, 3)
                        .mul(1.0 / Math.sqrt(dh)); // [B,H,4,dh]
        q = q.mul(cos).add(sd.reshape(sd.mmul(sd.reshape(q, -1, dh), rot), -1, h, n, dh).mul(sin));

        // [k | v] = Wkv h: one key/value head shared by all query heads; chunk(2) = first half k.
        SDVariable k = linear(hidden, sd.slice(wkv, new int[] {0, 0}, dh, d)); // [B*4, dh]
        SDVariable v = linear(hidden, sd.slice(wkv, new int[] {dh, 0}, dh, d));
        k = sd.reshape(k, -1, n, dh).mul(cos).add(sd.reshape(sd.mmul(k, rot), -1, n, dh).mul(sin));
        v = sd.reshape(v, -1, n, dh);

        // Learned null key/value prepended after rotary (they carry no position).
        SDVariable nullK =
                sd.reshape(sd.mmul(ones, sd.slice(nullKv, new int[] {0, 0}, 1, dh)), -1, 1, dh);
        SDVariable nullV =
                sd.reshape(sd.mmul(ones, sd.slice(nullKv, new int[] {1, 0}, 1, dh)), -1, 1, dh);
        k = sd.concat(1, nullK, k); // [B, 5, dh]
        v = sd.concat(1, nullV, v);

        SDVariable scores =
                sd.mmul(sd.reshape(q, -1, (long) h * n, dh), k, false, true, false); // [B, H*4, 5]
        scores = sd.reshape(scores, -1, h, n, keys).add(attnBias);
        SDVariable attn = sd.nn.softmax(scores, 3);
        SDVariable out = sd.mmul(sd.reshape(attn, -1, (long) h * n, keys), v); // [B, H*4, dh]
        out = sd.reshape(sd.permute(sd.reshape(out, -1, h, n, dh), 0, 2, 1, 3), -1, (long) h * dh);
        out = linear(out, p.get(pre + "0.to_out.0.weight"));
        return layerNorm(out, p.get(pre + "0.to_out.1.gamma"));
    }

    /**
     * FeedForward: LN -> Linear(dim, 8 dim) -> SwiGLU (a * silu(g), a the first half) -> Linear(4
     * dim, dim).
     */
    private SDVariable feedForward(SDVariable x, String pre, Map<String, SDVariable> p) {
        int d = config.dim();
        int inner = config.ffInnerDim();
        SDVariable hidden = layerNorm(x, p.get(pre + "1.0.gamma"));
        SDVariable w1 = p.get(pre + "1.1.weight");
        // Slicing the (static) weight instead of the activation avoids slices with a dynamic batch.
        SDVariable a = linear(hidden, sd.slice(w1, new int[] {0, 0}, inner, d));
        SDVariable g = linear(hidden, sd.slice(w1, new int[] {inner, 0}, inner, d));
        SDVariable gated = a.mul(g.mul(sd.nn.sigmoid(g)));
        return linear(gated, p.get(pre + "1.5.weight"));
    }

    /** {@code nn.Linear(bias=False)} with a PyTorch (out, in) weight: {@code x W^T}. */
    private SDVariable linear(SDVariable x, SDVariable weight) {
        return sd.mmul(x, weight, false, true, false);
    }

    /**
     * {@code F.layer_norm(x, (dim,), gamma, zeros, eps=1e-5)}: biased variance over the last axis.
     */
    private SDVariable layerNorm(SDVariable x, SDVariable gamma) {
        SDVariable centered = x.sub(x.mean(true, 1));
        SDVariable variance = sd.math.square(centered).mean(true, 1);
        return centered.mul(sd.math.rsqrt(variance.add(LAYER_NORM_EPS))).mul(gamma);
    }

    /**
     * One-hot rows selecting the bucket {@code max(i - j, 0)} of the 32-entry table for every
     * (query i, key j) pair, row index {@code i * keys + j} (DALLE2-pytorch {@code RelPosBias} with
     * distances below its exact range of 16).
     */
    static float[] relPosSelector(int queries, int keys) {
        float[] sel = new float[queries * keys * PriorConfig.REL_POS_BUCKETS];
        for (int i = 0; i < queries; i++) {
            for (int j = 0; j < keys; j++) {
                int bucket = Math.max(i - j, 0);
                sel[(i * keys + j) * PriorConfig.REL_POS_BUCKETS + bucket] = 1f;
            }
        }
        return sel;
    }

    /** Additive causal mask: query i may see keys 0..i+1 (the null key and tokens 0..i). */
    static float[] causalMask(int queries, int keys) {
        float[] mask = new float[queries * keys];
        for (int i = 0; i < queries; i++) {
            for (int j = i + 2; j < keys; j++) {
                mask[i * keys + j] = MASK_VALUE;
            }
        }
        return mask;
    }

    /**
     * Rotary embedding tables (rotary-embedding-torch as used by DALLE2-pytorch): frequency {@code
     * 10000^(-2i/width)} for pair i of adjacent dimensions, positions 0..n-1, applied to the first
     * {@code width} dimensions; {@code out = x cos + rot(x) sin} with {@code rot(a, b) = (-b, a)}.
     * Dimensions past {@code width} pass through (cos 1, sin 0).
     */
    static final class Rotary {
        final float[] cos;
        final float[] sin;
        final float[] rotateHalf;

        private Rotary(float[] cos, float[] sin, float[] rotateHalf) {
            this.cos = cos;
            this.sin = sin;
            this.rotateHalf = rotateHalf;
        }

        static Rotary create(int positions, int dimHead, int width) {
            float[] cos = new float[positions * dimHead];
            float[] sin = new float[positions * dimHead];
            for (int pos = 0; pos < positions; pos++) {
                for (int c = 0; c < dimHead; c++) {
                    if (c < width) {
                        // torch computes freqs in float32 and the angle t * freq in float32.
                        float freq =
                                (float) (1.0 / Math.pow(10000.0, (double) (2 * (c / 2)) / width));
                        float angle = pos * freq;
                        cos[pos * dimHead + c] = (float) Math.cos(angle);
                        sin[pos * dimHead + c] = (float) Math.sin(angle);
                    } else {
                        cos[pos * dimHead + c] = 1f;
                    }
                }
            }
            // x @ R = rot(x): out[2i] = -x[2i+1], out[2i+1] = x[2i], for pairs inside width.
            float[] r = new float[dimHead * dimHead];
            for (int i = 0; i < width / 2; i++) {
                r[(2 * i + 1) * dimHead + 2 * i] = -1f;
                r[(2 * i) * dimHead + 2 * i + 1] = 1f;
            }
            return new Rotary(cos, sin, r);
        }
    }

    /** Names of all parameters of rank two or more (the ones AdamW decays in the reference). */
    public List<String> matrixParameterNames() {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (shapes.get(name).length >= 2) {
                out.add(name);
            }
        }
        return out;
    }
}
