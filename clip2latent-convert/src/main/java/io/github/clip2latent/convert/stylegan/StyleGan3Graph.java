package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.graph.Dim;
import io.github.clip2latent.convert.graph.ElementType;
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
