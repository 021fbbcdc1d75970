package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.graph.GraphBuilder;
import io.github.clip2latent.convert.graph.GraphValue;
import io.github.clip2latent.convert.graph.NamedTensor;

/**
 * Graph fragments for NVIDIA's StyleGAN operators, written from their definitions in the stylegan3
 * code base: {@code FullyConnectedLayer}, {@code bias_act}, {@code upfirdn2d} and {@code
 * conv2d_resample}. Every fragment is exact in float32 up to summation order.
 */
final class StyleGanOps {

    private StyleGanOps() {}

    /**
     * {@code FullyConnectedLayer.forward}: {@code act(x (W weightGain)^T + b biasGain) def_gain},
     * the whole result times {@code extraGain} (ToRGB's style gain), folded into the weights.
     *
     * @param g builder
     * @param x {@code [B, in]}
     * @param fc the layer
     * @param extraGain a further factor on the output (1 for none); only for linear layers
     * @return {@code [B, out]}
     */
    static GraphValue fullyConnected(GraphBuilder g, GraphValue x, FullyConnected fc, double extraGain) {
        if (extraGain != 1 && fc.activation() != Activation.LINEAR) {
            throw new IllegalArgumentException(fc.path() + ": an extra gain needs a linear layer");
        }
        int out = fc.outFeatures();
        int in = fc.inFeatures();
        // w = weight * weight_gain in float32 (the reference multiplies by a float32 scalar).
        float wg = (float) fc.weightGain();
        float eg = (float) extraGain;
        float[] w = fc.weight().data();
        float[] wt = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                float v = w[o * in + i] * wg;
                wt[i * out + o] = extraGain == 1 ? v : v * eg;
            }
        }
        GraphValue y =
                g.matMul(x, g.floatConstant(fc.path() + ".weight_gained_t", new long[] {in, out}, wt));
        if (fc.bias() != null) {
            float bg = (float) fc.biasGain();
            float[] b = fc.bias().data();
            for (int o = 0; o < out; o++) {
                b[o] = fc.biasGain() == 1 ? b[o] : b[o] * bg;
                if (extraGain != 1) {
                    b[o] *= eg;
                }
            }
            y = g.add(y, g.floatConstant(fc.path() + ".bias_gained", new long[] {out}, b));
        }
        return activate(g, y, fc.activation(), fc.activation().defaultGain(), null);
    }

    /**
     * {@code bias_act} on an NCHW tensor: add the bias per channel, activation, times gain, then
     * clamp to {@code [-clamp, clamp]}.
     *
     * @param g builder
     * @param x {@code [B, C, H, W]}
     * @param bias {@code [C]} or {@code null}
     * @param act activation
     * @param gain factor after the activation
     * @param clamp bound, or {@code null} for none
     * @return the result, same shape
     */
    static GraphValue biasAct(
            GraphBuilder g, GraphValue x, NamedTensor bias, Activation act, double gain, Double clamp) {
        if (bias != null) {
            int c = bias.size();
            x = g.add(x, g.floatConstant(bias.name(), new long[] {1, c, 1, 1}, bias.data()));
        }
        return activate(g, x, act, gain, clamp);
    }

    private static GraphValue activate(
            GraphBuilder g, GraphValue x, Activation act, double gain, Double clamp) {
        switch (act) {
            case LINEAR -> {}
            case RELU -> x = g.node1("Relu", java.util.List.of(x));
            case LRELU -> x = g.leakyRelu(x, act.alpha());
        }
        if (gain != 1) {
            x = g.mul(x, g.scalar((float) gain));
        }
        if (clamp != null && clamp >= 0) {
            float c = clamp.floatValue();
            x = g.clip(x, -c, c);
        }
        return x;
    }

    /** Filter width and height as {@code upfirdn2d._get_filter_size} gives them. */
    static int[] filterSize(NamedTensor f) {
        long[] s = f.shape();
        return switch (s.length) {
            case 1 -> new int[] {(int) s[0], (int) s[0]};
            case 2 -> new int[] {(int) s[1], (int) s[0]};
            default -> throw new IllegalArgumentException(f.name() + " must be 1-D or 2-D, got " + f);
        };
    }

    /**
     * The 2-D correlation kernel {@code upfirdn2d} applies: the filter (a separable 1-D filter as
     * its outer product) times {@code gain}, flipped unless {@code flip_filter}.
     */
    private static float[][] correlationKernel(NamedTensor f, double gain, boolean flipFilter) {
        int[] size = filterSize(f);
        int fw = size[0];
        int fh = size[1];
        float[] d = f.data();
        float[][] k = new float[fh][fw];
        for (int y = 0; y < fh; y++) {
            for (int x = 0; x < fw; x++) {
                // f * gain ** (f.ndim / 2): per 1-D pass sqrt(gain), once for a 2-D filter.
                double v =
                        f.shape().length == 1
                                ? (d[y] * Math.sqrt(gain)) * (d[x] * Math.sqrt(gain))
                                : d[y * fw + x] * gain;
                int yy = flipFilter ? y : fh - 1 - y;
                int xx = flipFilter ? x : fw - 1 - x;
                k[yy][xx] = (float) v;
            }
        }
        return k;
    }

    private static GraphValue depthwiseKernel(
            GraphBuilder g, String name, float[][] k, int channels, boolean flip) {
        int kh = k.length;
        int kw = k[0].length;
        float[] data = new float[channels * kh * kw];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    data[(c * kh + y) * kw + x] = flip ? k[kh - 1 - y][kw - 1 - x] : k[y][x];
                }
            }
        }
        return g.floatConstant(name, new long[] {channels, 1, kh, kw}, data);
    }

    /**
     * {@code upfirdn2d(x, f, up, down, padding=[px0, px1, py0, py1], gain)}: upsample by zero
     * insertion, pad (negative crops), correlate each channel with the flipped filter, keep every
     * {@code down}-th sample. Upsampling runs as one depthwise transposed convolution (no
     * multiplications by the inserted zeros); the rest as a depthwise convolution.
     *
     * @param g builder
     * @param x {@code [B, C, H, W]}
     * @param channels C
     * @param f the stored filter
     * @param up upsampling factor
     * @param down downsampling factor
     * @param pad {@code [px0, px1, py0, py1]} as the reference orders them
     * @param gain signal gain
     * @return the filtered value
     */
    static GraphValue upfirdn2d(
            GraphBuilder g,
            GraphValue x,
            int channels,
            NamedTensor f,
            int up,
            int down,
            int[] pad,
            double gain) {
        float[][] kc = correlationKernel(f, gain, false);
        int kh = kc.length;
        int kw = kc[0].length;
        int px0 = pad[0];
        int px1 = pad[1];
        int py0 = pad[2];
        int py1 = pad[3];
        if (up > 1) {
            // Zero insertion + pad + correlation with kc equals the full transposed convolution
            // with flip(kc), shifted by k-1-p0 at the start and cropped by k-up-p1 at the end.
            int cy0 = kh - 1 - py0;
            int cx0 = kw - 1 - px0;
            int cy1 = kh - up - py1;
            int cx1 = kw - up - px1;
            GraphValue k = depthwiseKernel(g, f.name() + ".up_kernel", kc, channels, true);
            x =
                    g.convTranspose(
                            x,
                            k,
                            up,
                            new long[] {
                                Math.max(cy0, 0), Math.max(cx0, 0), Math.max(cy1, 0), Math.max(cx1, 0)
                            },
                            channels);
            if (cy0 < 0 || cx0 < 0 || cy1 < 0 || cx1 < 0) {
                x =
                        g.pad(
                                x,
                                0,
                                0,
                                Math.max(-cy0, 0),
                                Math.max(-cx0, 0),
                                0,
                                0,
                                Math.max(-cy1, 0),
                                Math.max(-cx1, 0));
            }
            if (down > 1) {
                x =
                        g.slice(
                                x,
                                new long[] {2, 3},
                                new long[] {0, 0},
                                new long[] {Long.MAX_VALUE, Long.MAX_VALUE},
                                new long[] {down, down});
            }
            return x;
        }
        x = crop(g, x, px0, px1, py0, py1);
        GraphValue k = depthwiseKernel(g, f.name() + ".fir_kernel", kc, channels, false);
        return g.conv(x, k, channels, new long[] {down, down}, new long[] {Math.max(py0, 0), Math.max(px0, 0), Math.max(py1, 0), Math.max(px1, 0)});
    }

    /** Removes the negative parts of a padding by slicing; positive parts are left to the caller. */
    private static GraphValue crop(GraphBuilder g, GraphValue x, int px0, int px1, int py0, int py1) {
        if (px0 >= 0 && px1 >= 0 && py0 >= 0 && py1 >= 0) {
            return x;
        }
        return g.slice(
                x,
                new long[] {2, 3},
                new long[] {Math.max(-py0, 0), Math.max(-px0, 0)},
                new long[] {py1 < 0 ? py1 : Long.MAX_VALUE, px1 < 0 ? px1 : Long.MAX_VALUE});
    }

    /**
     * {@code conv2d_resample(x, w, f, up, padding, flip_weight)} for the cases a StyleGAN2
     * generator uses: plain convolution ({@code up = 1}), 1x1 convolution then upsampling, and
     * transposed strided convolution then the FIR filter ({@code up > 1}, kernel > 1).
     *
     * @param g builder
     * @param x {@code [B, I, H, W]}
     * @param weight {@code [O, I, k, k]}, already scaled as the caller needs
     * @param f the FIR filter (used when {@code up > 1})
     * @param up upsampling factor
     * @param padding padding with respect to the upsampled image
     * @param flipWeight the reference's {@code flip_weight}
     * @param where module path, for messages
     * @return {@code [B, O, H up, W up]}
     */
    static GraphValue conv2dResample(
            GraphBuilder g,
            GraphValue x,
            NamedTensor weight,
            NamedTensor f,
            int up,
            int padding,
            boolean flipWeight,
            String where) {
        long[] s = weight.shape();
        int out = (int) s[0];
        int in = (int) s[1];
        int kh = (int) s[2];
        int kw = (int) s[3];
        int[] fs = filterSize(f);
        int fw = fs[0];
        int fh = fs[1];
        int px0 = padding;
        int px1 = padding;
        int py0 = padding;
        int py1 = padding;
        if (up == 1) {
            // conv2d performs correlation; flip_weight=False asks for a true convolution.
            float[] w = (!flipWeight && (kh > 1 || kw > 1)) ? flip(weight) : weight.data();
            GraphValue wv = g.floatConstant(weight.name(), s, w);
            return g.conv(x, wv, 1, new long[] {1, 1}, new long[] {py0, px0, py1, px1});
        }
        px0 += (fw + up - 1) / 2;
        px1 += (fw - up) / 2;
        py0 += (fh + up - 1) / 2;
        py1 += (fh - up) / 2;
        if (kh == 1 && kw == 1) {
            GraphValue wv = g.floatConstant(weight.name(), s, weight.data());
            x = g.conv(x, wv, 1, new long[] {1, 1}, new long[] {0, 0, 0, 0});
            return upfirdn2d(g, x, out, f, up, 1, new int[] {px0, px1, py0, py1}, up * up);
        }
        // Transposed convolution (the weight's in/out axes swapped), then the FIR filter.
        px0 -= kw - 1;
        px1 -= kw - up;
        py0 -= kh - 1;
        py1 -= kh - up;
        // The reference calls the transposed op with flip_weight = not flip_weight.
        boolean flip = flipWeight && (kh > 1 || kw > 1);
        float[] w = flip ? flip(weight) : weight.data();
        if (kh >= up && kw >= up) {
            // Polyphase form: one stride-1 convolution per output phase, interleaved by
            // DepthToSpace. Equal to conv_transpose2d (same products and sums) and several times
            // faster in ONNX Runtime, whose ConvTranspose lacks the blocked convolution kernels.
            int jy = (kh + up - 1) / up;
            int jx = (kw + up - 1) / up;
            x = polyphaseTransposedConv(g, x, weight.name(), w, out, in, kh, kw, up);
            // The phases cover up * (H + J - 1) rows: up * J - k more than the transposed
            // convolution's (H - 1) up + k, all zeros at the end.
            int ey = up * jy - kh;
            int ex = up * jx - kw;
            return upfirdn2d(g, x, out, f, 1, 1, new int[] {px0, px1 - ex, py0, py1 - ey}, up * up);
        }
        int pxt = Math.max(Math.min(-px0, -px1), 0);
        int pyt = Math.max(Math.min(-py0, -py1), 0);
        float[] t = new float[w.length];
        int k2 = kh * kw;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                System.arraycopy(w, (o * in + i) * k2, t, (i * out + o) * k2, k2);
            }
        }
        GraphValue wt = g.floatConstant(weight.name() + "_t", new long[] {in, out, kh, kw}, t);
        x = g.convTranspose(x, wt, up, new long[] {pyt, pxt, pyt, pxt}, 1);
        return upfirdn2d(
                g,
                x,
                out,
                f,
                1,
                1,
                new int[] {px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt},
                up * up);
    }

    /**
     * {@code conv_transpose2d(x, w^T, stride=up)} without cropping, as {@code up * up} stride-1
     * convolutions: output row {@code up m + p} is {@code sum_j x[m - j] w[up j + p]}, a
     * correlation with the taps {@code w[up (J_p - 1 - t) + p]} over {@code J_p - 1} rows of
     * leading zero padding. Every phase is padded to {@code H + J - 1} rows ({@code J = ceil(k /
     * up)}), so the result has {@code up (H + J - 1)} rows, the last {@code up J - k} of them zero.
     *
     * @param w {@code [O, I, kh, kw]}, the transposed convolution's weight per (out, in) pair
     */
    private static GraphValue polyphaseTransposedConv(
            GraphBuilder g,
            GraphValue x,
            String name,
            float[] w,
            int out,
            int in,
            int kh,
            int kw,
            int up) {
        int jy = (kh + up - 1) / up;
        int jx = (kw + up - 1) / up;
        GraphValue[] phases = new GraphValue[up * up];
        for (int py = 0; py < up; py++) {
            for (int px = 0; px < up; px++) {
                int jpy = (kh - py + up - 1) / up;
                int jpx = (kw - px + up - 1) / up;
                float[] v = new float[out * in * jpy * jpx];
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        int src = (o * in + i) * kh * kw;
                        int dst = (o * in + i) * jpy * jpx;
                        for (int ty = 0; ty < jpy; ty++) {
                            for (int tx = 0; tx < jpx; tx++) {
                                int u = up * (jpy - 1 - ty) + py;
                                int uu = up * (jpx - 1 - tx) + px;
                                v[dst + ty * jpx + tx] = w[src + u * kw + uu];
                            }
                        }
                    }
                }
                GraphValue k =
                        g.floatConstant(
                                name + "_phase" + py + px, new long[] {out, in, jpy, jpx}, v);
                phases[py * up + px] =
                        g.conv(x, k, 1, new long[] {1, 1}, new long[] {jpy - 1, jpx - 1, jy - 1, jx - 1});
            }
        }
        // DCR: input channel (by * up + bx) * C + c goes to pixel (h up + by, w up + bx).
        return g.node1(
                "DepthToSpace",
                java.util.List.of(g.concat(1, phases)),
                io.github.clip2latent.convert.graph.Attribute.of("blocksize", (long) up),
                io.github.clip2latent.convert.graph.Attribute.of("mode", "DCR"));
    }

    private static float[] flip(NamedTensor weight) {
        long[] s = weight.shape();
        int kh = (int) s[2];
        int kw = (int) s[3];
        float[] w = weight.data();
        float[] r = new float[w.length];
        int planes = w.length / (kh * kw);
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    r[(p * kh + y) * kw + x] = w[(p * kh + kh - 1 - y) * kw + kw - 1 - x];
                }
            }
        }
        return r;
    }
}
