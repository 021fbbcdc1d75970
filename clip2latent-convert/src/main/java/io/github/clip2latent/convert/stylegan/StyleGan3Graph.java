package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.graph.Dim;
import io.github.clip2latent.tensor.ElementType;
import io.github.clip2latent.convert.graph.GraphBuilder;
import io.github.clip2latent.convert.graph.GraphValue;
import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.graph.OnnxModel;

import java.util.List;

/**
 * Writes the ONNX graph of a checked {@link StyleGan3Synthesis}: {@code ws [batch, num_ws, w_dim]}
 * in, {@code image [batch, channels, resolution, resolution]} out, float32 throughout. Each step
 * follows the reference's CPU path (networks_stylegan3.py and the {@code _ref} implementations of
 * torch_utils/ops), re-expressed with standard ONNX operators.
 */
final class StyleGan3Graph {

    /** Graph input: the per-layer w latents. */
    static final String INPUT = "ws";

    /** Graph output: the image, NCHW. */
    static final String OUTPUT = "image";

    private static final String BATCH = "batch";

    private final StyleGan3Synthesis net;
    private final GraphBuilder g;

    private StyleGan3Graph(StyleGan3Synthesis net) {
        this.net = net;
        this.g = new GraphBuilder("stylegan3_synthesis");
    }

    /**
     * Writes the synthesis graph.
     *
     * @param net the checked network
     * @return the model, with the network's metadata
     */
    static OnnxModel write(StyleGan3Synthesis net) {
        return new StyleGan3Graph(net).build();
    }

    // Scopes only name intermediate values; the handles are closed, never read.
    @SuppressWarnings("try")
    private OnnxModel build() {
        GraphValue ws =
                g.input(
                        INPUT,
                        ElementType.FLOAT,
                        Dim.symbolic(BATCH),
                        Dim.of(net.numWs()),
                        Dim.of(net.wDim()));
        // SynthesisNetwork.forward: ws.unbind(1); the input takes ws[0], layer i takes ws[i + 1].
        GraphValue x;
        try (GraphBuilder.Scope s = g.scope("input")) {
            x = fourierInput(g.pick(ws, 0, 1));
        }
        for (int i = 0; i < net.layers().size(); i++) {
            StyleGan3Layer layer = net.layers().get(i);
            try (GraphBuilder.Scope s = g.scope(layer.path())) {
                x = layer(layer, x, g.pick(ws, i + 1, 1));
            }
        }
        if (net.outputScale() != 1) {
            x = g.mul(x, g.scalar((float) net.outputScale()));
        }
        g.output(
                x,
                OUTPUT,
                ElementType.FLOAT,
                Dim.symbolic(BATCH),
                Dim.of(net.imgChannels()),
                Dim.of(net.imgResolution()),
                Dim.of(net.imgResolution()));
        g.metadata("clip2latent.stylegan.family", "stylegan3");
        g.metadata("clip2latent.stylegan.class_name", net.className());
        g.metadata("clip2latent.stylegan.num_ws", Integer.toString(net.numWs()));
        g.metadata("clip2latent.stylegan.w_dim", Integer.toString(net.wDim()));
        g.metadata("clip2latent.stylegan.img_resolution", Integer.toString(net.imgResolution()));
        g.metadata("clip2latent.stylegan.img_channels", Integer.toString(net.imgChannels()));
        g.metadata("clip2latent.stylegan.source", net.source().getFileName().toString());
        g.docString(
                "StyleGAN3 synthesis (G_ema) converted from "
                        + net.source().getFileName()
                        + "; inputs ws [batch, num_ws, w_dim], output image NCHW");
        return g.build();
    }

    /**
     * FullyConnectedLayer.forward, linear: {@code addmm(b * bias_gain, x, (w * weight_gain)^T)}.
     */
    private GraphValue affine(StyleGan3Affine a, GraphValue x) {
        GraphValue w =
                g.initializer(
                        new NamedTensor(
                                a.path() + ".weight_scaled_t",
                                new long[] {a.inFeatures(), a.outFeatures()},
                                a.scaledWeightTransposed()));
        GraphValue b =
                g.initializer(
                        new NamedTensor(
                                a.path() + ".bias_scaled",
                                new long[] {a.outFeatures()},
                                a.scaledBias()));
        return g.add(g.matMul(x, w), b);
    }

    /**
     * SynthesisInput.forward: rotation and translation from the affine of {@code ws[0]}, applied
     * after the stored user transform to the stored frequencies and phases; Fourier features on the
     * fixed sampling grid, damped out of band, then the 1x1 mapping.
     *
     * @param w0 {@code [batch, w_dim]}
     * @return {@code [batch, channels, height, width]}
     */
    private GraphValue fourierInput(GraphValue w0) {
        StyleGan3Input in = net.input();
        int c = in.channels();
        // t = affine(w); t = t / |t[:, :2]|  -> (r_c, r_s, t_x, t_y)
        GraphValue t = affine(in.affine(), w0);
        GraphValue norm =
                g.reduceL2(g.slice(t, new long[] {1}, new long[] {0}, new long[] {2}), true, 1);
        t = g.div(t, norm);
        GraphValue[] parts = g.split(t, 1, 1, 1, 1, 1);
        GraphValue rc = parts[0];
        GraphValue rs = parts[1];
        GraphValue negTx = g.node1("Neg", List.of(parts[2]));
        GraphValue negTy = g.node1("Neg", List.of(parts[3]));
        GraphValue negRs = g.node1("Neg", List.of(rs));
        // Top two rows of m_r @ m_t, with m_r = [[rc, -rs, 0], [rs, rc, 0], [0, 0, 1]] and
        // m_t = [[1, 0, -tx], [0, 1, -ty], [0, 0, 1]]: the reference's bmm adds exact zeros only.
        GraphValue e02 = g.add(g.mul(rc, negTx), g.mul(negRs, negTy));
        GraphValue e12 = g.add(g.mul(rs, negTx), g.mul(rc, negTy));
        GraphValue top = g.reshape(g.concat(1, rc, negRs, e02, rs, rc, e12), 0, 2, 3);
        // transforms = m_r @ m_t @ transform; only rows 0 and 1 are ever read.
        GraphValue user =
                g.initializer(
                        new NamedTensor(
                                in.path() + ".transform", new long[] {3, 3}, in.transform()));
        GraphValue tr = g.matMul(top, user); // [B, 2, 3]
        GraphValue rot = g.slice(tr, new long[] {2}, new long[] {0}, new long[] {2}); // [B, 2, 2]
        GraphValue shift = g.slice(tr, new long[] {2}, new long[] {2}, new long[] {3}); // [B, 2, 1]
        GraphValue freqs0 =
                g.initializer(new NamedTensor(in.path() + ".freqs", new long[] {c, 2}, in.freqs()));
        GraphValue phases0 =
                g.initializer(new NamedTensor(in.path() + ".phases", new long[] {c}, in.phases()));
        // phases = phases + (freqs @ transforms[:, :2, 2:]).squeeze(2); freqs = freqs @
        // transforms[:, :2, :2]
        GraphValue phases = g.add(phases0, g.reshape(g.matMul(freqs0, shift), 0, c));
        GraphValue freqs = g.matMul(freqs0, rot); // [B, C, 2]
        // amplitudes = (1 - (|freqs| - bandwidth) / (sampling_rate / 2 - bandwidth)).clamp(0, 1)
        GraphValue amplitudes =
                g.clip(
                        g.sub(
                                g.scalar(1f),
                                g.div(
                                        g.sub(
                                                g.reduceL2(freqs, false, 2),
                                                g.scalar((float) in.bandwidth())),
                                        g.scalar(
                                                (float) (in.samplingRate() / 2 - in.bandwidth())))),
                        0f,
                        1f);
        // x = grid @ freqs^T + phases over the affine_grid of theta = diag(0.5 size /
        // sampling_rate).
        GraphValue grid =
                g.floatConstant(
                        "grid",
                        new long[] {(long) in.height() * in.width(), 2},
                        samplingGrid(in.width(), in.height(), in.samplingRate()));
        GraphValue x = g.matMul(grid, g.transpose(freqs, 0, 2, 1)); // [B, H*W, C]
        x = g.add(x, g.unsqueeze(phases, 1));
        x = g.sin(g.mul(x, g.scalar((float) (Math.PI * 2))));
        x = g.mul(x, g.unsqueeze(amplitudes, 1));
        // x = x @ (weight / sqrt(channels))^T, then [B, H, W, C] -> [B, C, H, W]
        float[] wt = new float[c * c];
        float norm2 = (float) Math.sqrt(c);
        for (int o = 0; o < c; o++) {
            for (int i = 0; i < c; i++) {
                wt[i * c + o] = in.weight()[o * c + i] / norm2;
            }
        }
        x =
                g.matMul(
                        x,
                        g.initializer(
                                new NamedTensor(
                                        in.path() + ".weight_scaled_t", new long[] {c, c}, wt)));
        return g.reshape(g.transpose(x, 0, 2, 1), 0, c, in.height(), in.width());
    }

    /**
     * torch.nn.functional.affine_grid(theta, [1, 1, H, W], align_corners=False) with theta = [[0.5
     * W / s, 0, 0], [0, 0.5 H / s, 0]]: pixel centers {@code (2 j + 1) / W - 1} scaled by theta's
     * diagonal, as (x, y) pairs in row-major (h, w) order.
     */
    static float[] samplingGrid(int width, int height, double samplingRate) {
        float sx = (float) (0.5 * width / samplingRate);
        float sy = (float) (0.5 * height / samplingRate);
        float[] grid = new float[2 * width * height];
        for (int h = 0; h < height; h++) {
            float y = (float) ((2.0 * h + 1) / height - 1);
            for (int w = 0; w < width; w++) {
                float x = (float) ((2.0 * w + 1) / width - 1);
                grid[2 * (h * width + w)] = x * sx;
                grid[2 * (h * width + w) + 1] = y * sy;
            }
        }
        return grid;
    }

    /**
     * SynthesisLayer.forward: styles from the affine (scaled by {@code 1/sqrt(in k^2)} for ToRGB),
     * modulated convolution with the magnitude-EMA input gain, then the filtered leaky ReLU.
     */
    private GraphValue layer(StyleGan3Layer l, GraphValue x, GraphValue w) {
        GraphValue styles = affine(l.affine(), w);
        if (l.toRgb()) {
            styles =
                    g.mul(
                            styles,
                            g.scalar(
                                    (float)
                                            (1
                                                    / Math.sqrt(
                                                            l.inChannels()
                                                                    * (double)
                                                                            (l.kernel()
                                                                                    * l
                                                                                            .kernel())))));
        }
        x = modulatedConv(l, x, styles);
        return filteredLrelu(l, x);
    }

    /**
     * modulated_conv2d (networks_stylegan3.py) with the modulation moved onto the activations: the
     * reference scales the weight by {@code s[b, i] * dcoefs[b, o] * input_gain} and runs one
     * grouped convolution; scaling the input channels by {@code s * input_gain} and the output
     * channels by {@code dcoefs} is the same product and keeps the batch symbolic. With
     * demodulation the weight is pre-normalized per output channel and the styles by their mean
     * square over the whole batch, as the reference does; {@code dcoefs = rsqrt(s^2 @ sum_k(w^2)^T
     * + 1e-8)}.
     */
    private GraphValue modulatedConv(StyleGan3Layer l, GraphValue x, GraphValue styles) {
        int o = l.outChannels();
        int in = l.inChannels();
        int kk = l.kernel() * l.kernel();
        boolean demodulate = !l.toRgb();
        float[] weight = l.weight();
        GraphValue s = styles;
        GraphValue dcoefs = null;
        if (demodulate) {
            // w = w * w.square().mean([1, 2, 3], keepdim=True).rsqrt()
            weight = weight.clone();
            float[] w2t = new float[in * o];
            for (int oc = 0; oc < o; oc++) {
                double sum = 0;
                for (int j = 0; j < in * kk; j++) {
                    double v = weight[oc * in * kk + j];
                    sum += v * v;
                }
                float r = (float) (1 / Math.sqrt(sum / (in * kk)));
                for (int j = 0; j < in * kk; j++) {
                    weight[oc * in * kk + j] *= r;
                }
                for (int ic = 0; ic < in; ic++) {
                    double sq = 0;
                    for (int k = 0; k < kk; k++) {
                        double v = weight[(oc * in + ic) * kk + k];
                        sq += v * v;
                    }
                    w2t[ic * o + oc] = (float) sq;
                }
            }
            // s = s * s.square().mean().rsqrt(): the mean runs over the whole batch.
            GraphValue ms = g.reduceMean(g.mul(s, s), true, 0, 1);
            s = g.mul(s, g.reciprocal(g.sqrt(ms)));
            GraphValue sumSq =
                    g.initializer(
                            new NamedTensor(
                                    l.path() + ".weight_sq_sum_t", new long[] {in, o}, w2t));
            dcoefs = g.reciprocal(g.sqrt(g.add(g.matMul(g.mul(s, s), sumSq), g.scalar(1e-8f))));
        }
        // input_gain = magnitude_ema.rsqrt()
        float inputGain = (float) (1 / Math.sqrt(l.magnitudeEma()));
        GraphValue inScale = g.unsqueeze(g.mul(s, g.scalar(inputGain)), 2, 3);
        GraphValue kernel =
                g.initializer(
                        new NamedTensor(
                                l.path() + (demodulate ? ".weight_normalized" : ".weight"),
                                new long[] {o, in, l.kernel(), l.kernel()},
                                weight));
        long pad = l.kernel() - 1;
        GraphValue y =
                g.conv(
                        g.mul(x, inScale),
                        kernel,
                        1,
                        new long[] {1, 1},
                        new long[] {pad, pad, pad, pad});
        if (demodulate) {
            y = g.mul(y, g.unsqueeze(dcoefs, 2, 3));
        }
        return y;
    }

    /**
     * _filtered_lrelu_ref (filtered_lrelu.py): bias; upfirdn2d up-sampling with the up filter, gain
     * {@code up^2} and the layer's padding; leaky ReLU (slope 0.2, ToRGB 1) times gain (sqrt 2,
     * ToRGB 1) clamped to {@code conv_clamp}; upfirdn2d down-sampling with the down filter.
     */
    private GraphValue filteredLrelu(StyleGan3Layer l, GraphValue x) {
        int c = l.outChannels();
        int size = l.inSize() + l.kernel() - 1;
        x = g.add(x, g.floatConstant("bias", new long[] {1, c, 1, 1}, l.bias()));
        if (l.up() > 1
                && l.upFilter() != null
                && l.upFilter().separable()
                && l.downFilter() != null
                && l.downFilter().separable()
                && l.up() % l.down() == 0) {
            return phaseDomainLrelu(l, x, size);
        }
        int[] p = l.padding();
        Shaped up =
                upfirdn(
                        new Shaped(x, size, size),
                        c,
                        l.upFilter(),
                        l.up(),
                        1,
                        p[0],
                        p[1],
                        p[2],
                        p[3]);
        x = up.value();
        if (!l.toRgb()) {
            x = g.mul(g.leakyRelu(x, 0.2f), g.scalar((float) Math.sqrt(2)));
        }
        if (!Double.isNaN(l.convClamp())) {
            x = g.clip(x, (float) -l.convClamp(), (float) l.convClamp());
        }
        Shaped down =
                upfirdn(
                        new Shaped(x, up.height(), up.width()),
                        c,
                        l.downFilter(),
                        1,
                        l.down(),
                        0,
                        0,
                        0,
                        0);
        if (down.height() > l.outSize() && down.width() > l.outSize()
                && down.height() - l.outSize() < l.up() && down.width() - l.outSize() < l.up()) {
            // The polyphase up-sampling's trailing samples (see polyphaseUp).
            down =
                    new Shaped(
                            g.slice(
                                    down.value(),
                                    new long[] {2, 3},
                                    new long[] {0, 0},
                                    new long[] {l.outSize(), l.outSize()}),
                            l.outSize(),
                            l.outSize());
        }
        if (down.height() != l.outSize() || down.width() != l.outSize()) {
            throw new IllegalStateException(
                    "layer "
                            + l.path()
                            + " of "
                            + net.source()
                            + ": filtered leaky ReLU gives "
                            + down.height()
                            + "x"
                            + down.width()
                            + ", expected out_size "
                            + l.outSize());
        }
        return down.value();
    }

    /** A value with its static spatial size. */
    private record Shaped(GraphValue value, int height, int width) {}

    /**
     * _upfirdn2d_ref (upfirdn2d.py): zero-insertion up-sampling, pad (negative crops), correlation
     * with the flipped filter times {@code gain ** (ndim / 2)} with {@code gain = up^2} (a
     * separable filter along width, then height), keep every {@code down}-th sample (a strided
     * convolution).
     */
    private Shaped upfirdn(
            Shaped in, int c, StyleGan3Filter f, int up, int down, int x0, int x1, int y0, int y1) {
        if (up > 1 && down == 1 && f != null && f.separable()) {
            return polyphaseUp(in, c, f, up, x0, x1, y0, y1);
        }
        GraphValue x = in.value();
        int h = in.height();
        int w = in.width();
        if (up > 1) {
            x = g.reshape(x, 0, c, h, 1, w, 1);
            x = g.pad(x, 0, 0, 0, 0, 0, 0, 0, 0, 0, up - 1, 0, up - 1);
            h *= up;
            w *= up;
            x = g.reshape(x, 0, c, h, w);
        }
        if (x0 > 0 || x1 > 0 || y0 > 0 || y1 > 0) {
            x =
                    g.pad(
                            x,
                            0,
                            0,
                            Math.max(y0, 0),
                            Math.max(x0, 0),
                            0,
                            0,
                            Math.max(y1, 0),
                            Math.max(x1, 0));
        }
        int hp = h + Math.max(y0, 0) + Math.max(y1, 0);
        int wp = w + Math.max(x0, 0) + Math.max(x1, 0);
        if (x0 < 0 || x1 < 0 || y0 < 0 || y1 < 0) {
            x =
                    g.slice(
                            x,
                            new long[] {2, 3},
                            new long[] {Math.max(-y0, 0), Math.max(-x0, 0)},
                            new long[] {hp - Math.max(-y1, 0), wp - Math.max(-x1, 0)});
        }
        h = h + y0 + y1;
        w = w + x0 + x1;
        double gain = (double) up * up;
        long[] zero = {0, 0, 0, 0};
        if (f == null) {
            if (gain != 1 || down != 1) {
                GraphValue one =
                        g.floatConstant(
                                "identity_filter",
                                new long[] {c, 1, 1, 1},
                                filled(c, (float) gain));
                x = g.conv(x, one, c, new long[] {down, down}, zero);
            }
            return new Shaped(x, (h - 1) / down + 1, (w - 1) / down + 1);
        }
        float[] taps = f.flippedScaled(gain);
        int k = f.size();
        if (f.separable()) {
            GraphValue alongW = g.floatConstant("filter_w", new long[] {c, 1, 1, k}, tile(taps, c));
            GraphValue alongH = g.floatConstant("filter_h", new long[] {c, 1, k, 1}, tile(taps, c));
            x = g.conv(x, alongW, c, new long[] {1, down}, zero);
            x = g.conv(x, alongH, c, new long[] {down, 1}, zero);
        } else {
            GraphValue full = g.floatConstant("filter", new long[] {c, 1, k, k}, tile(taps, c));
            x = g.conv(x, full, c, new long[] {down, down}, zero);
        }
        return new Shaped(x, (h - k) / down + 1, (w - k) / down + 1);
    }

    /**
     * The up-sampling {@code upfirdn2d(x, f, up, padding, gain=up^2)} of {@link #upfirdn} for a
     * separable filter, without the inserted zeros: along one axis, output sample {@code up n + a}
     * of the correlation with taps {@code c} is {@code sum_s c[r_a + up s] x[n + e_a + s]} with
     * {@code r_a = (p0 - a) mod up} and {@code e_a = -floor((p0 - a) / up)} (only the taps that
     * meet a stored sample), so each of the {@code up^2} phases is a pair of 1-D depthwise
     * convolutions at the input resolution, and DepthToSpace interleaves them. The same products
     * as the reference, minus its multiplications by the inserted zeros. Every phase has {@code N
     * = ceil(L / up)} samples ({@code L} the reference's output length), so the result may run
     * up to {@code up - 1} samples past {@code L} at the end; those trailing samples are read by no
     * valid output of the following down-sampling, which {@link #filteredLrelu} crops.
     */
    private Shaped polyphaseUp(
            Shaped in, int c, StyleGan3Filter f, int up, int x0, int x1, int y0, int y1) {
        float[] taps = f.flippedScaled((double) up * up);
        int k = f.size();
        int outH = in.height() * up + y0 + y1 - k + 1;
        int outW = in.width() * up + x0 + x1 - k + 1;
        int nh = (outH + up - 1) / up;
        int nw = (outW + up - 1) / up;
        GraphValue[] alongW = new GraphValue[up];
        for (int b = 0; b < up; b++) {
            alongW[b] = phasePass(in.value(), c, taps, up, b, x0, in.width(), nw, true);
        }
        GraphValue[] phases = new GraphValue[up * up];
        for (int a = 0; a < up; a++) {
            for (int b = 0; b < up; b++) {
                // DCR order: channel (a up + b) C + ch lands on pixel (up h + a, up w + b).
                phases[a * up + b] =
                        phasePass(alongW[b], c, taps, up, a, y0, in.height(), nh, false);
            }
        }
        GraphValue x =
                g.node1(
                        "DepthToSpace",
                        List.of(g.concat(1, phases)),
                        io.github.clip2latent.convert.graph.Attribute.of("blocksize", (long) up),
                        io.github.clip2latent.convert.graph.Attribute.of("mode", "DCR"));
        return new Shaped(x, up * nh, up * nw);
    }

    /**
     * One phase of {@link #polyphaseUp} along one axis: {@code y[j] = sum_s c[r + up s] x[j + e +
     * s]} for {@code j < count}, {@code x} zero outside its {@code length} samples.
     */
    private GraphValue phasePass(
            GraphValue x,
            int c,
            float[] taps,
            int up,
            int phase,
            int pad0,
            int length,
            int count,
            boolean alongWidth) {
        int q0 = pad0 - phase;
        int r = Math.floorMod(q0, up);
        int e = -Math.floorDiv(q0, up);
        return windowConv(x, c, subTaps(taps, r, up), e, length, count, alongWidth);
    }

    /** Taps {@code taps[first + step s]}, {@code s = 0, 1, ...} while inside the array. */
    private static float[] subTaps(float[] taps, int first, int step) {
        int n = (taps.length - first + step - 1) / step;
        float[] sub = new float[n];
        for (int t = 0; t < n; t++) {
            sub[t] = taps[first + step * t];
        }
        return sub;
    }

    /**
     * A 1-D depthwise correlation along one axis: {@code y[j] = sum_s taps[s] x[j + offset + s]}
     * for {@code j < count}, {@code x} zero outside its {@code length} samples (negative offsets
     * and windows past the end become zero padding, the rest a slice).
     */
    private GraphValue windowConv(
            GraphValue x,
            int c,
            float[] taps,
            int offset,
            int length,
            int count,
            boolean alongWidth) {
        // Leading zero taps skip samples and trailing ones shorten the output, so no slice is
        // needed (a slice would leave ONNX Runtime's blocked layout twice); zero taps add exact
        // zeros.
        int lead = Math.max(offset, 0);
        int front = Math.max(-offset, 0);
        int span = lead + taps.length;
        int back = count + span - 1 - length - front;
        int trail = Math.max(-back, 0);
        float[] padded = new float[span + trail];
        System.arraycopy(taps, 0, padded, lead, taps.length);
        long pb = Math.max(back, 0);
        int n = padded.length;
        GraphValue kernel =
                g.floatConstant(
                        alongWidth ? "filter_w_phase" : "filter_h_phase",
                        alongWidth ? new long[] {c, 1, 1, n} : new long[] {c, 1, n, 1},
                        tile(padded, c));
        long[] pads = alongWidth ? new long[] {0, front, 0, pb} : new long[] {front, 0, pb, 0};
        return g.conv(x, kernel, c, new long[] {1, 1}, pads);
    }

    /**
     * The whole of {@link #filteredLrelu} after the bias, for separable up and down filters with
     * {@code up} a multiple of {@code down}, without ever forming the up-sampled image: the
     * {@code up^2} phases of the up-sampling ({@link #polyphaseUp}'s passes) go through the
     * activation and clamp separately (both act per sample), and the down-sampling, output
     * sample {@code j = R m + beta} ({@code R = up / down}) being {@code sum_t d[t] z[down j +
     * t]} with {@code z[up n + a] = phase_a[n]}, sums for each output phase the correlations of
     * every input phase {@code a} with the taps {@code d[t0 + up s]}, {@code t0 = (a - down
     * beta) mod up}, from sample {@code floor((down beta + t0) / up)} on: along width first, then
     * height. Only for {@code R > 1} are the output phases interleaved (DepthToSpace at the output
     * resolution). The activation gain moves into the up-sampling's height taps (the leaky ReLU
     * is positively homogeneous), before the clamp as in the reference. The same products as
     * _filtered_lrelu_ref minus those with the inserted zeros and the discarded samples.
     */
    private GraphValue phaseDomainLrelu(StyleGan3Layer l, GraphValue x, int size) {
        int c = l.outChannels();
        int up = l.up();
        int down = l.down();
        int rate = up / down;
        int[] p = l.padding();
        float[] upTaps = l.upFilter().flippedScaled((double) up * up);
        float[] upTapsH = upTaps.clone();
        float actGain = l.toRgb() ? 1f : (float) Math.sqrt(2);
        for (int i = 0; i < upTapsH.length; i++) {
            upTapsH[i] *= actGain;
        }
        int k = upTaps.length;
        int upH = size * up + p[2] + p[3] - k + 1;
        int upW = size * up + p[0] + p[1] - k + 1;
        int nh = (upH + up - 1) / up;
        int nw = (upW + up - 1) / up;
        GraphValue[][] phase = new GraphValue[up][up];
        for (int b = 0; b < up; b++) {
            GraphValue alongW = phasePass(x, c, upTaps, up, b, p[0], size, nw, true);
            for (int a = 0; a < up; a++) {
                GraphValue y = phasePass(alongW, c, upTapsH, up, a, p[2], size, nh, false);
                if (!l.toRgb()) {
                    y = g.leakyRelu(y, 0.2f);
                }
                if (!Double.isNaN(l.convClamp())) {
                    y = g.clip(y, (float) -l.convClamp(), (float) l.convClamp());
                }
                phase[a][b] = y;
            }
        }
        float[] d = l.downFilter().flippedScaled(1);
        int out = l.outSize();
        int count = (out + rate - 1) / rate;
        // Along width: q[a][beta] = sum_b corr_W(phase[a][b], taps of (b, beta)).
        GraphValue[][] q = new GraphValue[up][rate];
        for (int a = 0; a < up; a++) {
            for (int beta = 0; beta < rate; beta++) {
                q[a][beta] = downSum(phase[a], c, d, up, down, beta, nw, count, true);
            }
        }
        GraphValue[] outPhases = new GraphValue[rate * rate];
        for (int bh = 0; bh < rate; bh++) {
            for (int bw = 0; bw < rate; bw++) {
                GraphValue[] column = new GraphValue[up];
                for (int a = 0; a < up; a++) {
                    column[a] = q[a][bw];
                }
                outPhases[bh * rate + bw] = downSum(column, c, d, up, down, bh, nh, count, false);
            }
        }
        if (rate == 1) {
            return outPhases[0];
        }
        GraphValue y =
                g.node1(
                        "DepthToSpace",
                        List.of(g.concat(1, outPhases)),
                        io.github.clip2latent.convert.graph.Attribute.of("blocksize", (long) rate),
                        io.github.clip2latent.convert.graph.Attribute.of("mode", "DCR"));
        if (rate * count != out) {
            y =
                    g.slice(
                            y,
                            new long[] {2, 3},
                            new long[] {0, 0},
                            new long[] {out, out});
        }
        return y;
    }

    /**
     * Output phase {@code beta} of the down-sampling along one axis, from the {@code up} input
     * phases (see {@link #phaseDomainLrelu}).
     */
    private GraphValue downSum(
            GraphValue[] phases,
            int c,
            float[] d,
            int up,
            int down,
            int beta,
            int length,
            int count,
            boolean alongWidth) {
        GraphValue[] terms = new GraphValue[up];
        int n = 0;
        for (int a = 0; a < up; a++) {
            int t0 = Math.floorMod(a - down * beta, up);
            if (t0 >= d.length) {
                continue;
            }
            int offset = Math.floorDiv(down * beta + t0, up);
            terms[n++] =
                    windowConv(
                            phases[a], c, subTaps(d, t0, up), offset, length, count, alongWidth);
        }
        // Pairwise sums, each with a convolution's output: ONNX Runtime folds such a Sum into the
        // convolution (it accumulates into the buffer) in its blocked layout.
        GraphValue acc = terms[0];
        for (int i = 1; i < n; i++) {
            acc = g.node1("Sum", List.of(terms[i], acc));
        }
        return acc;
    }

    private static float[] tile(float[] taps, int times) {
        float[] out = new float[taps.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(taps, 0, out, i * taps.length, taps.length);
        }
        return out;
    }

    private static float[] filled(int n, float v) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, v);
        return out;
    }
}
