package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.read.ConversionException;
import io.github.clip2latent.convert.read.ModuleRecord;
import io.github.clip2latent.convert.read.NetworkPickle;
import io.github.clip2latent.convert.read.NetworkPickleReader;
import io.github.clip2latent.convert.read.Tensor;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.Architecture;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.Block;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.ModulatedConv;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.ResnetSkip;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.ToRgb;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the generator of an NVIDIA network pickle ({@code G_ema}, never {@code G}) into the records
 * the graph writers take, checking every class, option and tensor shape the writers rely on. Every
 * error names the pickle, the module path under {@code G_ema} and the problem.
 */
public final class StyleGanPickles {

    /** The network a pickle's generator is read from: the weights' moving average. */
    public static final String NETWORK_KEY = "G_ema";

    private StyleGanPickles() {}

    /**
     * Reads a StyleGAN2 generator ({@code training.networks_stylegan2.Generator}).
     *
     * @param pickle the network pickle
     * @return metadata, mapping and synthesis
     * @throws ConversionException naming the pickle, module path and problem when the file is not
     *     a supported StyleGAN2 generator
     */
    public static StyleGan2Generator readStyleGan2(Path pickle) {
        NetworkPickle file = NetworkPickleReader.read(pickle);
        ModuleRecord g = file.network(NETWORK_KEY);
        Reader r = new Reader(pickle);
        r.requireClass(g, "Generator");
        ModuleRecord synthesisModule = r.child(g, "synthesis");
        if (synthesisModule.children().containsKey("input")) {
            throw r.error(
                    synthesisModule,
                    "is a StyleGAN3 synthesis network (it has an 'input' layer, not blocks b4, b8,"
                            + " ...); use StyleGan3SynthesisGraphWriter");
        }
        int cDim = r.intAttr(g, "c_dim");
        if (cDim != 0) {
            throw r.error(g, "is conditional (c_dim=" + cDim + "); only unconditional generators are supported");
        }
        StyleGanMapping mapping = mapping(pickle, r.child(g, "mapping"));
        ModuleRecord s = synthesisModule;
        StyleGan2Synthesis synthesis = r.synthesis(s);
        if (synthesis.numWs() != mapping.numWs() || synthesis.wDim() != mapping.wDim()) {
            throw r.error(
                    s,
                    "takes num_ws=" + synthesis.numWs() + ", w_dim=" + synthesis.wDim()
                            + " but the mapping gives num_ws=" + mapping.numWs() + ", w_dim="
                            + mapping.wDim());
        }
        StyleGanNetwork network =
                new StyleGanNetwork(
                        pickle,
                        r.className(g),
                        mapping.zDim(),
                        mapping.wDim(),
                        synthesis.numWs(),
                        synthesis.resolution(),
                        synthesis.imgChannels(),
                        synthesis.blocks().get(0).architecture().referenceName(),
                        channels(synthesis),
                        mapping.layers().size(),
                        StyleGan2SynthesisGraphWriter.noiseInputs(synthesis));
        return new StyleGan2Generator(network, mapping, synthesis);
    }

    /**
     * Reads a {@code MappingNetwork} (StyleGAN2 or StyleGAN3) from its module record.
     *
     * @param pickle the pickle it came from, for messages
     * @param mapping the {@code G_ema.mapping} module
     * @return the mapping weights and w_avg
     * @throws ConversionException naming the pickle, module path and problem
     */
    public static StyleGanMapping mapping(Path pickle, ModuleRecord mapping) {
        Reader r = new Reader(pickle);
        r.requireClass(mapping, "MappingNetwork");
        int zDim = r.intAttr(mapping, "z_dim");
        int wDim = r.intAttr(mapping, "w_dim");
        int numWs = r.intAttr(mapping, "num_ws");
        int layers = r.intAttr(mapping, "num_layers");
        int cDim = r.intAttr(mapping, "c_dim");
        if (cDim != 0) {
            throw r.error(mapping, "has a label embedding (c_dim=" + cDim + "), not supported");
        }
        List<FullyConnected> fcs = new ArrayList<>();
        int width = zDim;
        for (int i = 0; i < layers; i++) {
            ModuleRecord fc = r.child(mapping, "fc" + i);
            int out = i == layers - 1 ? wDim : -1;
            FullyConnected layer = r.fullyConnected(fc, width, out);
            fcs.add(layer);
            width = layer.outFeatures();
        }
        Tensor wAvg = r.tensor(mapping, "w_avg", wDim);
        return new StyleGanMapping(zDim, wDim, numWs, fcs, wAvg.toFloatArray());
    }

    private static Map<Integer, Integer> channels(StyleGan2Synthesis s) {
        Map<Integer, Integer> out = new java.util.LinkedHashMap<>();
        for (Block b : s.blocks()) {
            out.put(b.resolution(), b.conv1().outChannels());
        }
        return out;
    }

    /** Checks with messages naming the pickle and module path. */
    private static final class Reader {
        private final Path pickle;

        Reader(Path pickle) {
            this.pickle = pickle;
        }

        ConversionException error(ModuleRecord m, String problem) {
            return ConversionException.at(
                    pickle, NETWORK_KEY + (m.path().isEmpty() ? "" : "." + m.path()), problem);
        }

        String className(ModuleRecord m) {
            return m.className() == null ? "?" : m.className();
        }

        void requireClass(ModuleRecord m, String simpleName) {
            String c = className(m);
            String simple = c.substring(c.lastIndexOf('.') + 1);
            if (!simple.equals(simpleName)) {
                throw error(m, "is a " + c + ", expected a " + simpleName);
            }
        }

        ModuleRecord child(ModuleRecord m, String name) {
            ModuleRecord c = m.children().get(name);
            if (c == null) {
                throw error(m, "has no submodule '" + name + "' (it has " + m.children().keySet() + ")");
            }
            return c;
        }

        Object attr(ModuleRecord m, String name) {
            if (!m.attributes().containsKey(name)) {
                throw error(m, "has no attribute '" + name + "'");
            }
            return m.attributes().get(name);
        }

        int intAttr(ModuleRecord m, String name) {
            Object v = attr(m, name);
            if ((v instanceof Integer || v instanceof Long)
                    && ((Number) v).longValue() == ((Number) v).intValue()) {
                return ((Number) v).intValue();
            }
            throw error(m, "attribute '" + name + "' must be an integer, found " + v);
        }

        boolean boolAttr(ModuleRecord m, String name) {
            Object v = attr(m, name);
            if (v instanceof Boolean b) {
                return b;
            }
            throw error(m, "attribute '" + name + "' must be a bool, found " + v);
        }

        String stringAttr(ModuleRecord m, String name) {
            Object v = attr(m, name);
            if (v instanceof String s) {
                return s;
            }
            throw error(m, "attribute '" + name + "' must be a string, found " + v);
        }

        /** A clamp attribute: None or a non-negative number. */
        Double clampAttr(ModuleRecord m) {
            Object v = attr(m, "conv_clamp");
            if (v == null) {
                return null;
            }
            if (v instanceof Number n && n.doubleValue() >= 0) {
                return n.doubleValue();
            }
            throw error(m, "attribute 'conv_clamp' must be None or a number >= 0, found " + v);
        }

        /** A gain: the stored attribute when it is a plain number, checked against the formula. */
        double gain(ModuleRecord m, String name, double expected) {
            Object v = m.attributes().get(name);
            if (v instanceof Number n) {
                double got = n.doubleValue();
                if (Math.abs(got - expected) > 1e-6 * Math.abs(expected)) {
                    throw error(m, "attribute '" + name + "' is " + got + ", its formula gives " + expected);
                }
                return got;
            }
            return expected;
        }

        Activation activation(ModuleRecord m) {
            String name = stringAttr(m, "activation");
            Activation a = Activation.forReferenceName(name);
            if (a == null) {
                throw error(m, "uses activation '" + name + "'; supported: linear, relu, lrelu");
            }
            return a;
        }

        Tensor tensor(ModuleRecord m, String name, long... shape) {
            Tensor t = m.tensor(name);
            if (shape.length > 0 && !Arrays.equals(t.shape(), shape)) {
                throw error(
                        m,
                        "tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                                + ", expected " + Arrays.toString(shape));
            }
            return t;
        }

        NamedTensor named(ModuleRecord m, Tensor t, String name) {
            String path = m.path().startsWith("synthesis.") ? m.path().substring(10) : m.path();
            return new NamedTensor(path + "." + name, t.shape(), t.toFloatArray());
        }

        NamedTensor filter(ModuleRecord m) {
            Tensor f = tensor(m, "resample_filter");
            if (f.shape().length < 1 || f.shape().length > 2 || f.numel() < 1) {
                throw error(m, "buffer 'resample_filter' must be a 1-D or 2-D filter, found shape "
                        + Arrays.toString(f.shape()));
            }
            return named(m, f, "resample_filter");
        }

        /** A FullyConnectedLayer with {@code in} inputs and, when {@code out >= 0}, out outputs. */
        FullyConnected fullyConnected(ModuleRecord m, int in, int out) {
            requireClass(m, "FullyConnectedLayer");
            Tensor w = tensor(m, "weight");
            long[] s = w.shape();
            if (s.length != 2 || s[1] != in || (out >= 0 && s[0] != out)) {
                throw error(m, "tensor 'weight' has shape " + Arrays.toString(s) + ", expected ["
                        + (out >= 0 ? out : "out") + ", " + in + "]");
            }
            Tensor b = m.parameter("bias").orElse(null);
            if (b != null && !Arrays.equals(b.shape(), new long[] {s[0]})) {
                throw error(m, "tensor 'bias' has shape " + Arrays.toString(b.shape()) + ", expected [" + s[0] + "]");
            }
            Object lrValue = m.initKwargs().get("lr_multiplier");
            double lr = lrValue instanceof Number n ? n.doubleValue() : 1.0;
            double weightGain = gain(m, "weight_gain", lr / Math.sqrt(in));
            double biasGain = gain(m, "bias_gain", lr);
            return new FullyConnected(
                    m.path(),
                    named(m, w, "weight"),
                    b == null ? null : named(m, b, "bias"),
                    weightGain,
                    biasGain,
                    activation(m));
        }

        StyleGan2Synthesis synthesis(ModuleRecord s) {
            requireClass(s, "SynthesisNetwork");
            int wDim = intAttr(s, "w_dim");
            int res = intAttr(s, "img_resolution");
            int channels = intAttr(s, "img_channels");
            int numWs = intAttr(s, "num_ws");
            if (res < 4 || Integer.bitCount(res) != 1) {
                throw error(s, "has img_resolution " + res + ", expected a power of two >= 4");
            }
            List<Block> blocks = new ArrayList<>();
            int inChannels = 0;
            for (int r = 4; r <= res; r *= 2) {
                Block b = block(child(s, "b" + r), r, inChannels, wDim, channels, r == res);
                blocks.add(b);
                inChannels = b.conv1().outChannels();
            }
            try {
                return new StyleGan2Synthesis(wDim, numWs, res, channels, blocks);
            } catch (IllegalArgumentException e) {
                throw error(s, "is inconsistent: " + e.getMessage());
            }
        }

        Block block(ModuleRecord b, int res, int inChannels, int wDim, int imgChannels, boolean last) {
            requireClass(b, "SynthesisBlock");
            String archName = stringAttr(b, "architecture");
            Architecture arch;
            try {
                arch = Architecture.valueOf(archName.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw error(b, "has architecture '" + archName + "'; supported: orig, skip, resnet");
            }
            if (intAttr(b, "resolution") != res || intAttr(b, "in_channels") != inChannels
                    || boolAttr(b, "is_last") != last) {
                throw error(b, "has resolution=" + b.attributes().get("resolution") + ", in_channels="
                        + b.attributes().get("in_channels") + ", is_last=" + b.attributes().get("is_last")
                        + ", expected " + res + ", " + inChannels + ", " + last);
            }
            NamedTensor constInput = null;
            ModulatedConv conv0 = null;
            ModuleRecord c1 = child(b, "conv1");
            int out = (int) tensor(c1, "weight").shape()[0];
            if (inChannels == 0) {
                constInput = named(b, tensor(b, "const", out, res, res), "const");
            } else {
                conv0 = modulatedConv(child(b, "conv0"), inChannels, out, res, wDim, 2);
            }
            ModulatedConv conv1 = modulatedConv(c1, out, out, res, wDim, 1);
            ToRgb rgb = null;
            if (last || arch == Architecture.SKIP) {
                rgb = toRgb(child(b, "torgb"), out, imgChannels, wDim);
            }
            ResnetSkip skip = null;
            if (inChannels != 0 && arch == Architecture.RESNET) {
                skip = resnetSkip(child(b, "skip"), inChannels, out);
            }
            return new Block(
                    b.path().substring("synthesis.".length()), res, arch, last, constInput, conv0, conv1, rgb, skip, filter(b));
        }

        ModulatedConv modulatedConv(ModuleRecord m, int in, int out, int res, int wDim, int up) {
            requireClass(m, "SynthesisLayer");
            Tensor w = tensor(m, "weight");
            long[] s = w.shape();
            if (s.length != 4 || s[0] != out || s[1] != in || s[2] != s[3]) {
                throw error(m, "tensor 'weight' has shape " + Arrays.toString(s) + ", expected ["
                        + out + ", " + in + ", k, k]");
            }
            if (intAttr(m, "up") != up || intAttr(m, "resolution") != res) {
                throw error(m, "has up=" + m.attributes().get("up") + ", resolution="
                        + m.attributes().get("resolution") + ", expected " + up + ", " + res);
            }
            int padding = intAttr(m, "padding");
            if (padding != s[2] / 2) {
                throw error(m, "has padding " + padding + " for a " + s[2] + "x" + s[3] + " kernel");
            }
            boolean noise = boolAttr(m, "use_noise");
            String rel = m.path().substring("synthesis.".length());
            return new ModulatedConv(
                    rel,
                    fullyConnected(child(m, "affine"), wDim, in),
                    named(m, w, "weight"),
                    named(m, tensor(m, "bias", out), "bias"),
                    res,
                    up,
                    padding,
                    activation(m),
                    clampAttr(m),
                    filter(m),
                    noise ? named(m, tensor(m, "noise_const", res, res), "noise_const") : null,
                    noise ? tensor(m, "noise_strength").toFloatArray()[0] : 0f);
        }

        ToRgb toRgb(ModuleRecord m, int in, int imgChannels, int wDim) {
            requireClass(m, "ToRGBLayer");
            Tensor w = tensor(m, "weight");
            long[] s = w.shape();
            if (s.length != 4 || s[0] != imgChannels || s[1] != in) {
                throw error(m, "tensor 'weight' has shape " + Arrays.toString(s) + ", expected ["
                        + imgChannels + ", " + in + ", k, k]");
            }
            return new ToRgb(
                    m.path().substring("synthesis.".length()),
                    fullyConnected(child(m, "affine"), wDim, in),
                    named(m, w, "weight"),
                    named(m, tensor(m, "bias", imgChannels), "bias"),
                    gain(m, "weight_gain", 1 / Math.sqrt((double) in * s[2] * s[3])),
                    clampAttr(m));
        }

        ResnetSkip resnetSkip(ModuleRecord m, int in, int out) {
            requireClass(m, "Conv2dLayer");
            Tensor w = tensor(m, "weight", out, in, 1, 1);
            if (m.parameter("bias").isPresent() || activation(m) != Activation.LINEAR) {
                throw error(m, "must be a linear 1x1 convolution without bias (the resnet skip)");
            }
            return new ResnetSkip(
                    m.path().substring("synthesis.".length()),
                    named(m, w, "weight"),
                    gain(m, "weight_gain", 1 / Math.sqrt(in)),
                    intAttr(m, "up"),
                    filter(m),
                    clampAttr(m));
        }
    }
}
