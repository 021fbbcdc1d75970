package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.graph.Dim;
import io.github.clip2latent.tensor.ElementType;
import io.github.clip2latent.convert.graph.GraphBuilder;
import io.github.clip2latent.convert.graph.GraphValue;
import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.graph.OnnxModel;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.Block;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.ModulatedConv;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.ToRgb;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Writes a StyleGAN2 {@code SynthesisNetwork} ({@code training/networks_stylegan2.py}) as a float32
 * ONNX graph: learned constant, modulated convolutions with demodulation, FIR upsampling with the
 * stored filters, noise, bias + activation with gain and clamp, ToRGB, and the skip, orig or resnet
 * block architecture.
 *
 * <p>The modulated convolution runs in its non-fused form (scale the input by the styles, one
 * shared convolution, scale the output by each sample's demodulation coefficients), which equals
 * the reference's fused grouped convolution for any batch size.
 *
 * <p>Graph contract: input {@value #INPUT_WS} float {@code [batch, num_ws, w_dim]}; one input per
 * noise layer named after the layer's path from the synthesis root (e.g. {@code b8.conv0}), float
 * {@code [batch, 1, res, res]}, holding the unscaled noise (the graph multiplies by the layer's
 * {@code noise_strength}) and, for a network with noise, {@value #INPUT_NOISE_CONST_SCALE} float
 * {@code [1]} that adds the stored {@code noise_const} (kept in the graph); output {@value #OUTPUT_IMAGE} float {@code [batch, img_channels, res,
 * res]}, nominally in [-1, 1]. Metadata lists the noise inputs (key {@value #META_NOISE_INPUTS}).
 */
public final class StyleGan2SynthesisGraphWriter {

    /** Name of the per-layer latent input. */
    public static final String INPUT_WS = "ws";

    /**
     * Name of the input that weighs the stored constant noise: float {@code [1]}, present when the
     * network has noise. Each layer adds {@code (noise + noise_const * noise_const_scale) *
     * noise_strength}: the reference's {@code noise_mode='const'} is scale 1 with zero noise
     * inputs, {@code 'random'} scale 0 with normal draws, {@code 'none'} scale 0 with zeros.
     */
    public static final String INPUT_NOISE_CONST_SCALE = "noise_const_scale";

    /** Name of the image output. */
    public static final String OUTPUT_IMAGE = "image";

    /** The graph kind stored under {@link MappingGraphWriter#META_KIND}. */
    public static final String GRAPH_KIND = "stylegan2_synthesis";

    /**
     * Metadata key listing the noise inputs as {@code name:resolution} separated by commas, in the
     * reference's drawing order.
     */
    public static final String META_NOISE_INPUTS = MappingGraphWriter.META_PREFIX + "noise_inputs";

    /** The demodulation epsilon of {@code modulated_conv2d}. */
    static final float DEMOD_EPS = 1e-8f;

    private StyleGan2SynthesisGraphWriter() {}

    /**
     * Writes the model file atomically.
     *
     * @param synthesis the network
     * @param provenance free text stored in the metadata
     * @param file target file
     * @throws IOException when writing fails; no partial file is left under {@code file}
     */
    public static void write(StyleGan2Synthesis synthesis, String provenance, Path file)
            throws IOException {
        build(synthesis, provenance).write(file);
    }

    /**
     * The noise inputs of the graph: name to resolution, in the reference's drawing order.
     *
     * @param synthesis the network
     * @return an ordered map
     */
    public static Map<String, Integer> noiseInputs(StyleGan2Synthesis synthesis) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (ModulatedConv layer : synthesis.noiseLayers()) {
            out.put(layer.path(), layer.resolution());
        }
        return out;
    }

    /**
     * Builds the model in memory.
     *
     * @param synthesis the network
     * @param provenance free text stored in the metadata
     * @return the model
     */
    // Scopes only name intermediate values; the handle is closed, never read.
    @SuppressWarnings("try")
    public static OnnxModel build(StyleGan2Synthesis synthesis, String provenance) {
        Objects.requireNonNull(synthesis, "synthesis");
        Objects.requireNonNull(provenance, "provenance");
        Map<String, Integer> noise = noiseInputs(synthesis);
        String p = MappingGraphWriter.META_PREFIX;
        GraphBuilder g = new GraphBuilder("stylegan2_synthesis");
        g.docString("StyleGAN2 synthesis network ws -> image (NVIDIA SynthesisNetwork)");
        g.metadata(MappingGraphWriter.META_KIND, GRAPH_KIND)
                .metadata(p + "w_dim", Integer.toString(synthesis.wDim()))
                .metadata(p + "num_ws", Integer.toString(synthesis.numWs()))
                .metadata(p + "img_resolution", Integer.toString(synthesis.resolution()))
                .metadata(p + "img_channels", Integer.toString(synthesis.imgChannels()))
                .metadata(
                        p + "architecture",
                        synthesis.blocks().get(0).architecture().referenceName())
                .metadata(
                        META_NOISE_INPUTS,
                        noise.entrySet().stream()
                                .map(e -> e.getKey() + ":" + e.getValue())
                                .collect(Collectors.joining(",")))
                .metadata(MappingGraphWriter.META_PROVENANCE, provenance);

        Dim batch = Dim.symbolic("batch");
        GraphValue ws =
                g.input(
                        INPUT_WS,
                        ElementType.FLOAT,
                        batch,
                        Dim.of(synthesis.numWs()),
                        Dim.of(synthesis.wDim()));
        Map<String, GraphValue> noiseValues = new LinkedHashMap<>();
        noise.forEach(
                (name, res) ->
                        noiseValues.put(
                                name,
                                g.input(
                                        name,
                                        ElementType.FLOAT,
                                        batch,
                                        Dim.of(1),
                                        Dim.of(res),
                                        Dim.of(res))));
        GraphValue constScale =
                noise.isEmpty()
                        ? null
                        : g.input(INPUT_NOISE_CONST_SCALE, ElementType.FLOAT, Dim.of(1));

        GraphValue x = null;
        GraphValue img = null;
        int wIdx = 0;
        for (Block block : synthesis.blocks()) {
            try (GraphBuilder.Scope s = g.scope(block.path())) {
                // SynthesisNetwork.forward: each block reads num_conv + num_torgb rows from w_idx
                // and advances by num_conv, so ToRGB shares its w with the next block's conv0.
                int wi = wIdx;
                wIdx += block.numConv();
                if (block.constInput() != null) {
                    NamedTensor c = block.constInput();
                    long[] cs = c.shape();
                    x =
                            g.floatConstant(
                                    block.path() + ".const",
                                    new long[] {1, cs[0], cs[1], cs[2]},
                                    c.data());
                    x = layer(g, x, g.pick(ws, wi++, 1), block.conv1(), 1, noiseValues, constScale);
                } else if (block.skip() != null) {
                    StyleGan2Synthesis.ResnetSkip sk = block.skip();
                    double half = Math.sqrt(0.5);
                    GraphValue y =
                            StyleGanOps.conv2dResample(
                                    g,
                                    x,
                                    scaled(sk.weight(), sk.weightGain()),
                                    sk.resampleFilter(),
                                    sk.up(),
                                    0,
                                    sk.up() == 1,
                                    sk.path());
                    y =
                            StyleGanOps.biasAct(
                                    g,
                                    y,
                                    null,
                                    Activation.LINEAR,
                                    half,
                                    sk.convClamp() == null ? null : sk.convClamp() * half);
                    x = layer(g, x, g.pick(ws, wi++, 1), block.conv0(), 1, noiseValues, constScale);
                    x = layer(g, x, g.pick(ws, wi++, 1), block.conv1(), half, noiseValues, constScale);
                    x = g.add(y, x);
                } else {
                    x = layer(g, x, g.pick(ws, wi++, 1), block.conv0(), 1, noiseValues, constScale);
                    x = layer(g, x, g.pick(ws, wi++, 1), block.conv1(), 1, noiseValues, constScale);
                }
                if (img != null) {
                    // upfirdn2d.upsample2d: up=2, padding so that the size doubles, gain up^2.
                    int[] fs = StyleGanOps.filterSize(block.resampleFilter());
                    int up = 2;
                    img =
                            StyleGanOps.upfirdn2d(
                                    g,
                                    img,
                                    synthesis.imgChannels(),
                                    block.resampleFilter(),
                                    up,
                                    1,
                                    new int[] {
                                        (fs[0] + up - 1) / 2,
                                        (fs[0] - up) / 2,
                                        (fs[1] + up - 1) / 2,
                                        (fs[1] - up) / 2
                                    },
                                    up * up);
                }
                if (block.toRgb() != null) {
                    GraphValue y = toRgb(g, x, g.pick(ws, wi, 1), block.toRgb());
                    img = img == null ? y : g.add(img, y);
                }
            }
        }
        g.output(
                img,
                OUTPUT_IMAGE,
                ElementType.FLOAT,
                batch,
                Dim.of(synthesis.imgChannels()),
                Dim.of(synthesis.resolution()),
                Dim.of(synthesis.resolution()));
        return g.build();
    }

    /**
     * {@code SynthesisLayer.forward} with {@code modulated_conv2d(demodulate=True)} and {@code
     * bias_act(act, gain=act_gain * gain, clamp=conv_clamp * gain)}.
     */
    @SuppressWarnings("try")
    private static GraphValue layer(
            GraphBuilder g,
            GraphValue x,
            GraphValue w,
            ModulatedConv layer,
            double gain,
            Map<String, GraphValue> noise,
            GraphValue constScale) {
        try (GraphBuilder.Scope s = g.scope(layer.path())) {
            int in = layer.inChannels();
            int out = layer.outChannels();
            GraphValue styles = StyleGanOps.fullyConnected(g, w, layer.affine(), 1);
            // dcoefs = rsqrt(sum_{i,k} (W[o,i,k] s[b,i])^2 + eps) = rsqrt(s^2 @ sum_k W^2 + eps).
            float[] wd = layer.weight().data();
            int k2 = wd.length / (in * out);
            float[] sq = new float[in * out];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    double acc = 0;
                    for (int k = 0, at = (o * in + i) * k2; k < k2; k++, at++) {
                        acc += (double) wd[at] * wd[at];
                    }
                    sq[i * out + o] = (float) acc;
                }
            }
            GraphValue wsq = g.floatConstant(layer.path() + ".weight_sq_t", new long[] {in, out}, sq);
            GraphValue dcoefs =
                    g.reciprocal(
                            g.sqrt(g.add(g.matMul(g.mul(styles, styles), wsq), g.scalar(DEMOD_EPS))));
            // Non-fused modulation: x * styles, shared convolution, * dcoefs (+ noise).
            x = g.mul(x, g.unsqueeze(styles, 2, 3));
            x =
                    StyleGanOps.conv2dResample(
                            g,
                            x,
                            layer.weight(),
                            layer.resampleFilter(),
                            layer.up(),
                            layer.padding(),
                            layer.up() == 1,
                            layer.path());
            // bias_act's gain moves in front of the activation (every supported activation is
            // positively homogeneous: act(g y) = g act(y) for g > 0), onto the small tensors:
            // the demodulation coefficients, the noise strength and the bias. That saves one
            // full-resolution pass per layer; the clamp still applies after the gain.
            double actGain = layer.activation().defaultGain() * gain;
            float fg = (float) actGain;
            if (actGain != 1) {
                dcoefs = g.mul(dcoefs, g.scalar(fg));
            }
            x = g.mul(x, g.unsqueeze(dcoefs, 2, 3));
            if (layer.useNoise()) {
                // (noise + noise_const * noise_const_scale) * noise_strength, on [B, 1, r, r].
                float sg = layer.noiseStrength() * fg;
                int r = layer.resolution();
                float[] c = layer.noiseConst().data();
                for (int i = 0; i < c.length; i++) {
                    c[i] *= sg;
                }
                GraphValue stored =
                        g.floatConstant(layer.path() + ".noise_const_gained", new long[] {1, 1, r, r}, c);
                GraphValue n = g.mul(noise.get(layer.path()), g.scalar(sg));
                x = g.add(x, g.add(n, g.mul(stored, constScale)));
            }
            float[] b = layer.bias().data();
            for (int i = 0; i < b.length; i++) {
                b[i] *= fg;
            }
            Double clamp = layer.convClamp() == null ? null : layer.convClamp() * gain;
            return StyleGanOps.biasAct(
                    g,
                    x,
                    new NamedTensor(layer.bias().name() + "_gained", layer.bias().shape(), b),
                    layer.activation(),
                    1,
                    clamp);
        }
    }

    /** {@code ToRGBLayer.forward}: styles times weight_gain, no demodulation, bias, clamp. */
    @SuppressWarnings("try")
    private static GraphValue toRgb(GraphBuilder g, GraphValue x, GraphValue w, ToRgb rgb) {
        try (GraphBuilder.Scope s = g.scope(rgb.path())) {
            GraphValue styles = StyleGanOps.fullyConnected(g, w, rgb.affine(), rgb.weightGain());
            x = g.mul(x, g.unsqueeze(styles, 2, 3));
            long[] ws = rgb.weight().shape();
            x =
                    g.conv(
                            x,
                            g.floatConstant(rgb.path() + ".weight", ws, rgb.weight().data()),
                            1,
                            new long[] {1, 1},
                            // modulated_conv2d's default padding 0, as ToRGBLayer calls it.
                            new long[] {0, 0, 0, 0});
            return StyleGanOps.biasAct(g, x, rgb.bias(), Activation.LINEAR, 1, rgb.convClamp());
        }
    }

    private static NamedTensor scaled(NamedTensor t, double gain) {
        float[] d = t.data();
        float fg = (float) gain;
        for (int i = 0; i < d.length; i++) {
            d[i] *= fg;
        }
        return new NamedTensor(t.name() + "_gained", t.shape(), d);
    }
}
