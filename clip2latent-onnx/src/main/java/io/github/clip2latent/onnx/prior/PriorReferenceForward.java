package io.github.clip2latent.onnx.prior;

import java.util.Objects;

/**
 * A plain, float64 forward pass of the prior network written straight from reference section 3,
 * used as the oracle the ONNX graph is tested against. It shares no code with {@link
 * PriorGraphWriter}: masks, biases and rotations are computed inline here. Slow by design.
 */
public final class PriorReferenceForward {

    /** Masked attention score: {@code -torch.finfo(float32).max}, as the reference fills it. */
    static final double MASKED = -Float.MAX_VALUE;

    private static final double LN_EPS = 1e-5;

    private PriorReferenceForward() {}

    /**
     * Predicts x0 for a batch.
     *
     * @param weights the network
     * @param xt noisy latents, [batch, dim] row-major
     * @param t timesteps in [0, timesteps), [batch]
     * @param condition condition embeddings, [batch, dim] row-major
     * @param keep 1 keeps the condition, 0 drops it, [batch]; other values are rejected
     * @param batch the batch size
     * @return x0 predictions, [batch][dim]
     */
    public static double[][] forward(
            PriorWeights weights,
            float[] xt,
            long[] t,
            float[] condition,
            float[] keep,
            int batch) {
        Objects.requireNonNull(weights, "weights");
        PriorConfig c = weights.config();
        int d = c.dim();
        requireLength("xt", xt, (long) batch * d);
        requireLength("condition", condition, (long) batch * d);
        if (t.length != batch || keep.length != batch) {
            throw new IllegalArgumentException(
                    "t and keep need "
                            + batch
                            + " values, got "
                            + t.length
                            + " and "
                            + keep.length);
        }
        Weights w = new Weights(weights);
        double[][] out = new double[batch][];
        for (int b = 0; b < batch; b++) {
            if (t[b] < 0 || t[b] >= c.timesteps()) {
                throw new IllegalArgumentException(
                        "t[" + b + "] = " + t[b] + " outside [0, " + c.timesteps() + ")");
            }
            if (keep[b] != 0f && keep[b] != 1f) {
                throw new IllegalArgumentException(
                        "keep[" + b + "] must be 0 or 1, got " + keep[b]);
            }
            out[b] = forwardOne(c, w, xt, t[b], condition, keep[b] == 1f, b);
        }
        return out;
    }

    private static double[] forwardOne(
            PriorConfig c, Weights w, float[] xt, long t, float[] cond, boolean keep, int b) {
        int d = c.dim();
        int n = PriorConfig.TOKENS;
        // Section 3, tokens: [condition, time embedding(t), x_t, learned query], no projections.
        double[][] x = new double[n][d];
        for (int k = 0; k < d; k++) {
            x[0][k] = cond[b * d + k];
            x[1][k] = w.timeTable[(int) t * d + k];
            x[2][k] = xt[b * d + k];
            x[3][k] = w.learnedQuery[k];
        }
        for (int layer = 0; layer < c.depth(); layer++) {
            // Section 3: x = attn(x) + x, then x = ff(x) + x.
            double[][] a = attention(c, w, layer, x, keep);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    x[i][k] += a[i][k];
                }
            }
            double[][] f = feedForward(c, w, layer, x);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    x[i][k] += f[i][k];
                }
            }
        }
        // Section 3, final: LN, then project_out on the last token.
        double[] last = layerNorm(x[n - 1], w.finalNorm);
        return linear(w.projectOut, d, d, last);
    }

    /**
     * Section 3, attention block: multi-query attention with rotary, null key/value, bias, masks.
     */
    private static double[][] attention(
            PriorConfig c, Weights w, int layer, double[][] x, boolean keep) {
        int n = PriorConfig.TOKENS;
        int d = c.dim();
        int heads = c.heads();
        int dh = c.dimHead();
        int rot = c.rotaryDim();
        double scale = Math.pow(dh, -0.5);
        float[] nullKv = w.nullKv[layer];

        // h = LN(x); q = Wq h (heads x dimHead); [k|v] = Wkv h (one shared head).
        double[][] q = new double[n][];
        double[][] k = new double[n][dh];
        double[][] v = new double[n][dh];
        for (int i = 0; i < n; i++) {
            double[] h = layerNorm(x[i], w.attnNorm[layer]);
            q[i] = linear(w.toQ[layer], heads * dh, d, h);
            double[] kv = linear(w.toKv[layer], 2 * dh, d, h);
            System.arraycopy(kv, 0, k[i], 0, dh);
            System.arraycopy(kv, dh, v[i], 0, dh);
        }
        // q scaled by dimHead^-0.5, then rotary on q (every head) and k, position = token index.
        for (int i = 0; i < n; i++) {
            for (int hd = 0; hd < heads; hd++) {
                double[] qh = new double[dh];
                for (int e = 0; e < dh; e++) {
                    qh[e] = q[i][hd * dh + e] * scale;
                }
                double[] r = rotary(qh, i, rot);
                System.arraycopy(r, 0, q[i], hd * dh, dh);
            }
            k[i] = rotary(k[i], i, rot);
        }
        // Keys and values: learned null first (not rotated), then the four tokens.
        double[][] keys = new double[n + 1][dh];
        double[][] values = new double[n + 1][dh];
        for (int e = 0; e < dh; e++) {
            keys[0][e] = nullKv[e];
            values[0][e] = nullKv[dh + e];
        }
        for (int i = 0; i < n; i++) {
            keys[i + 1] = k[i];
            values[i + 1] = v[i];
        }
        double[] merged = new double[heads * dh];
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            for (int hd = 0; hd < heads; hd++) {
                double[] scores = new double[n + 1];
                for (int j = 0; j <= n; j++) {
                    double s = 0;
                    for (int e = 0; e < dh; e++) {
                        s += q[i][hd * dh + e] * keys[j][e];
                    }
                    // Relative position bias, bucket max(i - j, 0) with key 0 the null key.
                    s += w.relPosBias[Math.max(i - j, 0) * heads + hd];
                    // Padding mask [1, keep, 1, 1, 1], then causal: query i sees keys 0..i+1.
                    boolean visible = (j != 1 || keep) && j <= i + 1;
                    scores[j] = visible ? s : MASKED;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (double s : scores) {
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int j = 0; j <= n; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int e = 0; e < dh; e++) {
                    double acc = 0;
                    for (int j = 0; j <= n; j++) {
                        acc += scores[j] / sum * values[j][e];
                    }
                    merged[hd * dh + e] = acc; // merge heads: (h d) order
                }
            }
            // Linear(heads*dimHead -> dim), then the post LayerNorm.
            out[i] = layerNorm(linear(w.toOut[layer], d, heads * dh, merged), w.attnOutNorm[layer]);
        }
        return out;
    }

    /**
     * Section 3, rotary: pairs (2m, 2m+1) below {@code rot} turn by angle pos * 10000^(-2m/rot).
     */
    private static double[] rotary(double[] x, int pos, int rot) {
        double[] y = x.clone();
        for (int m = 0; m < rot / 2; m++) {
            double angle = pos * Math.pow(10000.0, -2.0 * m / rot);
            double a = x[2 * m];
            double b = x[2 * m + 1];
            // x cos + rot(x) sin with rot(a, b) = (-b, a)
            y[2 * m] = a * Math.cos(angle) - b * Math.sin(angle);
            y[2 * m + 1] = b * Math.cos(angle) + a * Math.sin(angle);
        }
        return y;
    }

    /**
     * Section 3, feed-forward: LN -> Linear(dim, 8 dim) -> a * silu(gate) -> Linear(4 dim, dim).
     */
    private static double[][] feedForward(PriorConfig c, Weights w, int layer, double[][] x) {
        int d = c.dim();
        int inner = c.ffInnerDim();
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double[] h = linear(w.ffIn[layer], 2 * inner, d, layerNorm(x[i], w.ffNorm[layer]));
            double[] act = new double[inner];
            for (int e = 0; e < inner; e++) {
                double gate = h[inner + e];
                act[e] = h[e] * gate / (1.0 + Math.exp(-gate));
            }
            out[i] = linear(w.ffOut[layer], d, inner, act);
        }
        return out;
    }

    /** Section 3, LayerNorm: biased variance, eps 1e-5, learnable gain, zero bias. */
    private static double[] layerNorm(double[] x, float[] gain) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        var /= x.length;
        double inv = 1.0 / Math.sqrt(var + LN_EPS);
        double[] y = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            y[k] = (x[k] - mean) * inv * gain[k];
        }
        return y;
    }

    /**
     * PyTorch {@code nn.Linear} without bias: {@code y = W x} with W stored (out, in) row-major.
     */
    private static double[] linear(float[] weight, int outDim, int inDim, double[] x) {
        double[] y = new double[outDim];
        for (int o = 0; o < outDim; o++) {
            double acc = 0;
            int row = o * inDim;
            for (int k = 0; k < inDim; k++) {
                acc += weight[row + k] * x[k];
            }
            y[o] = acc;
        }
        return y;
    }

    private static void requireLength(String name, float[] array, long expected) {
        if (array.length != expected) {
            throw new IllegalArgumentException(
                    name + " needs " + expected + " values, got " + array.length);
        }
    }

    /** The weights copied out once per call into plain arrays for the loops above. */
    private static final class Weights {
        final float[] learnedQuery;
        final float[] timeTable;
        final float[] relPosBias;
        final float[] finalNorm;
        final float[] projectOut;
        final float[][] attnNorm;
        final float[][] nullKv;
        final float[][] toQ;
        final float[][] toKv;
        final float[][] toOut;
        final float[][] attnOutNorm;
        final float[][] ffNorm;
        final float[][] ffIn;
        final float[][] ffOut;

        Weights(PriorWeights w) {
            int depth = w.config().depth();
            learnedQuery = w.get(PriorWeights.LEARNED_QUERY).data();
            timeTable = w.get(PriorWeights.TIME_EMBEDDINGS).data();
            relPosBias = w.get(PriorWeights.REL_POS_BIAS).data();
            finalNorm = w.get(PriorWeights.FINAL_NORM).data();
            projectOut = w.get(PriorWeights.PROJECT_OUT).data();
            attnNorm = new float[depth][];
            nullKv = new float[depth][];
            toQ = new float[depth][];
            toKv = new float[depth][];
            toOut = new float[depth][];
            attnOutNorm = new float[depth][];
            ffNorm = new float[depth][];
            ffIn = new float[depth][];
            ffOut = new float[depth][];
            for (int i = 0; i < depth; i++) {
                attnNorm[i] = w.get(PriorWeights.attnNorm(i)).data();
                nullKv[i] = w.get(PriorWeights.nullKv(i)).data();
                toQ[i] = w.get(PriorWeights.toQ(i)).data();
                toKv[i] = w.get(PriorWeights.toKv(i)).data();
                toOut[i] = w.get(PriorWeights.toOut(i)).data();
                attnOutNorm[i] = w.get(PriorWeights.attnOutNorm(i)).data();
                ffNorm[i] = w.get(PriorWeights.ffNorm(i)).data();
                ffIn[i] = w.get(PriorWeights.ffIn(i)).data();
                ffOut[i] = w.get(PriorWeights.ffOut(i)).data();
            }
        }
    }
}
