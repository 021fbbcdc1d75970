package io.github.clip2latent.convert.prior;

import io.github.clip2latent.convert.graph.Dim;
import io.github.clip2latent.tensor.ElementType;
import io.github.clip2latent.convert.graph.GraphBuilder;
import io.github.clip2latent.convert.graph.GraphValue;
import io.github.clip2latent.convert.graph.OnnxModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes the prior network's forward pass (DALLE2-pytorch {@code DiffusionPriorNetwork}, reference
 * section 3) as an ONNX graph with the weights as initializers under their reference names.
 *
 * <p>Graph contract, used by the rest of the project:
 *
 * <ul>
 *   <li>input {@value #INPUT_X_T}: float [batch, dim], the noisy latent;
 *   <li>input {@value #INPUT_T}: int64 [batch], the original diffusion step in [0, timesteps);
 *   <li>input {@value #INPUT_CONDITION}: float [batch, dim], the raw CLIP embedding;
 *   <li>input {@value #INPUT_KEEP}: float [batch], 1 keeps the condition, 0 drops it (values above
 *       0.5 count as kept);
 *   <li>output {@value #OUTPUT_X0}: float [batch, dim], the predicted x0.
 * </ul>
 *
 * {@code batch} is the symbolic dimension {@value #BATCH}. Metadata records the configuration (keys
 * {@code clip2latent.prior.*}), the producer and the caller's provenance string.
 */
public final class PriorGraphWriter {

    /** Name of the noisy-latent input. */
    public static final String INPUT_X_T = "x_t";

    /** Name of the timestep input. */
    public static final String INPUT_T = "t";

    /** Name of the condition-embedding input. */
    public static final String INPUT_CONDITION = "condition";

    /** Name of the keep-condition input. */
    public static final String INPUT_KEEP = "keep_condition";

    /** Name of the x0-prediction output. */
    public static final String OUTPUT_X0 = "x0";

    /** Symbolic batch dimension of every input and output. */
    public static final String BATCH = "batch";

    /** Metadata key of the graph kind; the value is {@value #GRAPH_KIND}. */
    public static final String META_KIND = "clip2latent.graph";

    /** The graph kind stored under {@link #META_KIND}. */
    public static final String GRAPH_KIND = "diffusion_prior_network";

    /** Metadata key of the caller's provenance string. */
    public static final String META_PROVENANCE = "clip2latent.provenance";

    /** Prefix of the configuration metadata keys. */
    public static final String META_PREFIX = "clip2latent.prior.";

    /** LayerNorm epsilon of the reference (PyTorch's default). */
    static final float LN_EPS = 1e-5f;

    private static final int N = PriorConfig.TOKENS;
    // Keys are the null key followed by the four tokens.
    private static final int KEYS = N + 1;

    private PriorGraphWriter() {}

    /**
     * Writes the model file atomically.
     *
     * @param weights the network's weights
     * @param provenance free text stored in the metadata (where the weights came from)
     * @param file the target file
     * @throws IOException when writing fails; no partial file is left under {@code file}
     */
    public static void write(PriorWeights weights, String provenance, Path file)
            throws IOException {
        build(weights, provenance).write(file);
    }

    /**
     * Builds the model in memory.
     *
     * @param weights the network's weights
     * @param provenance free text stored in the metadata (where the weights came from)
     * @return the model
     */
    // Scopes only name intermediate values; the handle is closed, never read.
    @SuppressWarnings("try")
    public static OnnxModel build(PriorWeights weights, String provenance) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(provenance, "provenance");
        PriorConfig c = weights.config();
        int d = c.dim();
        int h = c.heads();
        int dh = c.dimHead();

        GraphBuilder g = new GraphBuilder("clip2latent_prior");
        g.docString("clip2latent diffusion prior network (DiffusionPriorNetwork), predicts x0");
        g.metadata(META_KIND, GRAPH_KIND)
                .metadata(META_PREFIX + "dim", Integer.toString(d))
                .metadata(META_PREFIX + "depth", Integer.toString(c.depth()))
                .metadata(META_PREFIX + "heads", Integer.toString(h))
                .metadata(META_PREFIX + "dim_head", Integer.toString(dh))
                .metadata(META_PREFIX + "timesteps", Integer.toString(c.timesteps()))
                .metadata(META_PREFIX + "rotary_dim", Integer.toString(c.rotaryDim()))
                .metadata(
                        META_PREFIX + "rel_pos_buckets",
                        Integer.toString(PriorConfig.REL_POS_BUCKETS))
                .metadata(META_PREFIX + "parameters", Long.toString(c.parameterCount()))
                .metadata(META_PROVENANCE, provenance);

        Dim batch = Dim.symbolic(BATCH);
        GraphValue xt = g.input(INPUT_X_T, ElementType.FLOAT, batch, Dim.of(d));
        GraphValue t = g.input(INPUT_T, ElementType.INT64, batch);
        GraphValue cond = g.input(INPUT_CONDITION, ElementType.FLOAT, batch, Dim.of(d));
        GraphValue keep = g.input(INPUT_KEEP, ElementType.FLOAT, batch);

        GraphValue batchSize = g.shape(xt, 0, 1);
        GraphValue x;
        try (GraphBuilder.Scope s = g.scope("tokens")) {
            // Section 3: tokens [condition, time_embed(t), x_t, learned_query]; no input
            // projections.
            GraphValue condToken = g.unsqueeze(cond, 1);
            GraphValue timeToken =
                    g.unsqueeze(
                            g.gather(
                                    g.initializer(weights.get(PriorWeights.TIME_EMBEDDINGS)), t, 0),
                            1);
            GraphValue xtToken = g.unsqueeze(xt, 1);
            GraphValue query =
                    g.reshape(g.initializer(weights.get(PriorWeights.LEARNED_QUERY)), 1, 1, d);
            GraphValue queryToken =
                    g.expand(query, g.concat(0, batchSize, g.int64Vector("dims", 1, d)));
            x = g.concat(1, condToken, timeToken, xtToken, queryToken);
        }

        GraphValue allowed;
        GraphValue bias;
        GraphValue cos;
        GraphValue sin;
        GraphValue rotateHalf;
        GraphValue scale;
        GraphValue masked;
        GraphValue nullShape;
        try (GraphBuilder.Scope s = g.scope("shared")) {
            // Section 3, condition mask: key mask [1 (null), keep, 1, 1, 1] per sample.
            float[] keepSlot = new float[KEYS];
            float[] alwaysOn = new float[KEYS];
            Arrays.fill(alwaysOn, 1f);
            keepSlot[1] = 1f;
            alwaysOn[1] = 0f;
            GraphValue keyMaskF =
                    g.add(
                            g.mul(
                                    g.unsqueeze(keep, 1),
                                    g.floatConstant("keep_slot", new long[] {KEYS}, keepSlot)),
                            g.floatConstant("always_visible", new long[] {KEYS}, alwaysOn));
            GraphValue keyMask = g.unsqueeze(g.greater(keyMaskF, g.scalar(0.5f)), 1, 2);
            // Section 3, causal mask: query i sees the null key and tokens 0..i.
            allowed = g.and(keyMask, g.boolConstant("causal", new long[] {N, KEYS}, causalMask()));
            // Section 3, relative position bias: the (32, heads) table stays an initializer under
            // its
            // reference name; the buckets are constant, so ONNX Runtime folds this to (heads, 4,
            // 5).
            GraphValue table = g.initializer(weights.get(PriorWeights.REL_POS_BIAS));
            GraphValue buckets =
                    g.int64Constant("rel_pos_buckets", new long[] {N, KEYS}, relPosBuckets());
            bias = g.transpose(g.gather(table, buckets, 0), 2, 0, 1);
            float[][] cs = rotaryTables(dh, c.rotaryDim());
            cos = g.floatConstant("rotary_cos", new long[] {N, dh}, cs[0]);
            sin = g.floatConstant("rotary_sin", new long[] {N, dh}, cs[1]);
            rotateHalf =
                    g.floatConstant(
                            "rotate_half",
                            new long[] {dh, dh},
                            rotateHalfMatrix(dh, c.rotaryDim()));
            scale = g.scalar((float) Math.pow(dh, -0.5));
            masked = g.scalar(-Float.MAX_VALUE);
            nullShape = g.concat(0, batchSize, g.int64Vector("dims", 1, dh));
        }

        for (int i = 0; i < c.depth(); i++) {
            try (GraphBuilder.Scope s = g.scope("layers." + i + ".attn")) {
                // Section 3, attention: pre-norm, multi-query projections.
                GraphValue hN =
                        g.layerNorm(
                                x, g.initializer(weights.get(PriorWeights.attnNorm(i))), LN_EPS);
                GraphValue q = g.matMul(hN, linearWeight(g, weights, PriorWeights.toQ(i)));
                q = g.transpose(g.reshape(q, 0, N, h, dh), 0, 2, 1, 3); // [B, H, 4, Dh]
                q = rotary(g, g.mul(q, scale), cos, sin, rotateHalf);
                GraphValue[] kv =
                        g.split(
                                g.matMul(hN, linearWeight(g, weights, PriorWeights.toKv(i))),
                                -1,
                                dh,
                                dh);
                GraphValue k = rotary(g, kv[0], cos, sin, rotateHalf); // [B, 4, Dh]
                // Learned null key and value, prepended after the rotation so they are never
                // rotated.
                GraphValue nullKv = g.initializer(weights.get(PriorWeights.nullKv(i)));
                GraphValue nk = g.expand(g.reshape(g.pick(nullKv, 0, 0), 1, 1, dh), nullShape);
                GraphValue nv = g.expand(g.reshape(g.pick(nullKv, 1, 0), 1, 1, dh), nullShape);
                GraphValue keys = g.concat(1, nk, k); // [B, 5, Dh]
                GraphValue values = g.concat(1, nv, kv[1]);
                GraphValue scores =
                        g.matMul(q, g.unsqueeze(g.transpose(keys, 0, 2, 1), 1)); // [B, H, 4, 5]
                scores = g.where(allowed, g.add(scores, bias), masked);
                GraphValue attn = g.softmax(scores, -1);
                GraphValue out = g.matMul(attn, g.unsqueeze(values, 1)); // [B, H, 4, Dh]
                out = g.reshape(g.transpose(out, 0, 2, 1, 3), 0, N, (long) h * dh);
                out = g.matMul(out, linearWeight(g, weights, PriorWeights.toOut(i)));
                out =
                        g.layerNorm(
                                out,
                                g.initializer(weights.get(PriorWeights.attnOutNorm(i))),
                                LN_EPS);
                x = g.add(out, x);
            }
            try (GraphBuilder.Scope s = g.scope("layers." + i + ".ff")) {
                // Section 3, feed-forward: LN -> Linear(dim, 8 dim) -> SwiGLU -> Linear(4 dim,
                // dim).
                GraphValue f =
                        g.layerNorm(x, g.initializer(weights.get(PriorWeights.ffNorm(i))), LN_EPS);
                f = g.matMul(f, linearWeight(g, weights, PriorWeights.ffIn(i)));
                GraphValue[] halves = g.split(f, -1, c.ffInnerDim(), c.ffInnerDim());
                f = g.mul(halves[0], g.mul(halves[1], g.sigmoid(halves[1]))); // a * silu(gate)
                f = g.matMul(f, linearWeight(g, weights, PriorWeights.ffOut(i)));
                x = g.add(f, x);
            }
        }

        try (GraphBuilder.Scope s = g.scope("final")) {
            // Section 3, final: LN, then project_out on the last (learned query) token.
            GraphValue y =
                    g.layerNorm(x, g.initializer(weights.get(PriorWeights.FINAL_NORM)), LN_EPS);
            y = g.pick(y, N - 1, 1);
            y = g.matMul(y, linearWeight(g, weights, PriorWeights.PROJECT_OUT));
            g.output(y, OUTPUT_X0, ElementType.FLOAT, batch, Dim.of(d));
        }
        return g.build();
    }

    /**
     * A PyTorch {@code (out, in)} linear weight as the {@code (in, out)} right operand of MatMul.
     * The initializer keeps the reference name and layout; ONNX Runtime folds the Transpose once
     * when it loads the session.
     */
    private static GraphValue linearWeight(GraphBuilder g, PriorWeights w, String name) {
        return g.transpose(g.initializer(w.get(name)), 1, 0);
    }

    /** Section 3, rotary embedding: {@code out = x cos + rot(x) sin} over the last axis. */
    private static GraphValue rotary(
            GraphBuilder g, GraphValue x, GraphValue cos, GraphValue sin, GraphValue rot) {
        return g.add(g.mul(x, cos), g.mul(g.matMul(x, rot), sin));
    }

    /**
     * Section 3, causal mask: row i (query token i) allows key j when {@code j <= i + 1}, where key
     * 0 is the null key and key j >= 1 is token j - 1 (PyTorch {@code triu(j - i + 1)} masked).
     */
    static boolean[] causalMask() {
        boolean[] m = new boolean[N * KEYS];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < KEYS; j++) {
                m[i * KEYS + j] = j <= i + 1;
            }
        }
        return m;
    }

    /**
     * Section 3, relative position buckets: {@code max(i - j, 0)} for query i in 0..3 and key j in
     * 0..4 (key 0 the null key). T5 bucketing is the identity here since every distance is below
     * half of the 32 buckets.
     */
    static long[] relPosBuckets() {
        long[] buckets = new long[N * KEYS];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < KEYS; j++) {
                buckets[i * KEYS + j] = Math.max(i - j, 0);
            }
        }
        return buckets;
    }

    /**
     * Section 3, rotary tables for positions 0..3: dims {@code 2m, 2m+1} (m below rot/2) share the
     * frequency {@code 10000^(-2m/rot)}; dims beyond the rotary width pass through (cos 1, sin 0).
     *
     * @return {cos, sin}, each [4, dimHead] row-major
     */
    static float[][] rotaryTables(int dimHead, int rot) {
        float[] cos = new float[N * dimHead];
        float[] sin = new float[N * dimHead];
        for (int p = 0; p < N; p++) {
            for (int c = 0; c < dimHead; c++) {
                if (c < rot) {
                    double freq = Math.pow(10000.0, -2.0 * (c / 2) / rot);
                    cos[p * dimHead + c] = (float) Math.cos(p * freq);
                    sin[p * dimHead + c] = (float) Math.sin(p * freq);
                } else {
                    cos[p * dimHead + c] = 1f;
                }
            }
        }
        return new float[][] {cos, sin};
    }

    /**
     * Section 3, {@code rot(x)}: the matrix R with {@code x R = (-x1, x0, -x3, x2, ...)} on the
     * rotary dims, pairs (a, b) mapped to (-b, a); zero beyond them, where sin is 0 anyway.
     */
    static float[] rotateHalfMatrix(int dimHead, int rot) {
        float[] r = new float[dimHead * dimHead];
        for (int m = 0; m < rot / 2; m++) {
            int a = 2 * m;
            int b = 2 * m + 1;
            r[b * dimHead + a] = -1f; // out[a] = -x[b]
            r[a * dimHead + b] = 1f; // out[b] = x[a]
        }
        return r;
    }
}
