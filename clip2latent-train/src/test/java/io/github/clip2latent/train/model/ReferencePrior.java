package io.github.clip2latent.train.model;

import io.github.clip2latent.onnx.prior.PriorConfig;
import java.util.Map;

/**
 * An independent float64 forward of the clip2latent prior written straight from reference
 * section 3 with plain loops, per sample, masking by replacement like PyTorch's masked_fill.
 */
final class ReferencePrior {

    private final PriorConfig c;
    private final Map<String, float[]> w;

    ReferencePrior(PriorConfig config, Map<String, float[]> weights) {
        this.c = config;
        this.w = weights;
    }

    double[] forward(float[] xt, int t, float[] cond, boolean keep) {
        int d = c.dim();
        int n = 4;
        double[][] x = new double[n][d];
        float[] table = w.get("net.to_time_embeds.0.weight");
        float[] query = w.get("net.learned_query");
        for (int k = 0; k < d; k++) {
            x[0][k] = cond[k];
            x[1][k] = table[t * d + k];
            x[2][k] = xt[k];
            x[3][k] = query[k];
        }
        for (int l = 0; l < c.depth(); l++) {
            String p = "net.causal_transformer.layers." + l + ".";
            double[][] a = attention(x, p, keep);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < d; k++) {
                    x[i][k] += a[i][k];
                }
            }
            for (int i = 0; i < n; i++) {
                double[] hdn = ln(x[i], w.get(p + "1.0.gamma"));
                double[] up = lin(hdn, w.get(p + "1.1.weight"), 8 * d, d);
                double[] gated = new double[4 * d];
                for (int k = 0; k < 4 * d; k++) {
                    double g = up[4 * d + k];
                    gated[k] = up[k] * g / (1 + Math.exp(-g));
                }
                double[] down = lin(gated, w.get(p + "1.5.weight"), d, 4 * d);
                for (int k = 0; k < d; k++) {
                    x[i][k] += down[k];
                }
            }
        }
        double[] last = ln(x[n - 1], w.get("net.causal_transformer.norm.gamma"));
        return lin(last, w.get("net.causal_transformer.project_out.weight"), d, d);
    }

    private double[][] attention(double[][] x, String p, boolean keep) {
        int d = c.dim();
        int h = c.heads();
        int dh = c.dimHead();
        int n = 4;
        double[][] q = new double[n][];
        double[][] k = new double[n + 1][];
        double[][] v = new double[n + 1][];
        float[] nullKv = w.get(p + "0.null_kv");
        k[0] = new double[dh];
        v[0] = new double[dh];
        for (int e = 0; e < dh; e++) {
            k[0][e] = nullKv[e];
            v[0][e] = nullKv[dh + e];
        }
        for (int i = 0; i < n; i++) {
            double[] hdn = ln(x[i], w.get(p + "0.norm.gamma"));
            q[i] = lin(hdn, w.get(p + "0.to_q.weight"), h * dh, d);
            double[] kv = lin(hdn, w.get(p + "0.to_kv.weight"), 2 * dh, d);
            k[i + 1] = new double[dh];
            v[i + 1] = new double[dh];
            System.arraycopy(kv, 0, k[i + 1], 0, dh);
            System.arraycopy(kv, dh, v[i + 1], 0, dh);
            for (int hh = 0; hh < h; hh++) {
                double[] qh = new double[dh];
                for (int e = 0; e < dh; e++) {
                    qh[e] = q[i][hh * dh + e] / Math.sqrt(dh);
                }
                rotate(qh, i);
                System.arraycopy(qh, 0, q[i], hh * dh, dh);
            }
            rotate(k[i + 1], i);
        }
        float[] relBias = w.get("net.causal_transformer.rel_pos_bias.relative_attention_bias.weight");
        double[][] merged = new double[n][h * dh];
        for (int hh = 0; hh < h; hh++) {
            for (int i = 0; i < n; i++) {
                double[] s = new double[n + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= n; j++) {
                    double dot = 0;
                    for (int e = 0; e < dh; e++) {
                        dot += q[i][hh * dh + e] * k[j][e];
                    }
                    dot += relBias[Math.max(i - j, 0) * h + hh];
                    boolean masked = (j == 1 && !keep) || j > i + 1;
                    s[j] = masked ? -Float.MAX_VALUE : dot;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j <= n; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j <= n; j++) {
                    for (int e = 0; e < dh; e++) {
                        merged[i][hh * dh + e] += s[j] / sum * v[j][e];
                    }
                }
            }
        }
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = ln(lin(merged[i], w.get(p + "0.to_out.0.weight"), d, h * dh), w.get(p + "0.to_out.1.gamma"));
        }
        return out;
    }

    /** Rotary on the first min(32, dimHead) dims, adjacent pairs, (a, b) -> (-b, a). */
    private void rotate(double[] x, int pos) {
        int width = Math.min(32, x.length);
        for (int i = 0; i < width / 2; i++) {
            double theta = pos * Math.pow(10000.0, -2.0 * i / width);
            double a = x[2 * i];
            double b = x[2 * i + 1];
            x[2 * i] = a * Math.cos(theta) - b * Math.sin(theta);
            x[2 * i + 1] = b * Math.cos(theta) + a * Math.sin(theta);
        }
    }

    private static double[] ln(double[] x, float[] gamma) {
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
        double[] out = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = (x[k] - mean) / Math.sqrt(var + 1e-5) * gamma[k];
        }
        return out;
    }

    private static double[] lin(double[] x, float[] weight, int out, int in) {
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = 0;
            for (int i = 0; i < in; i++) {
                s += weight[o * in + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }
}
