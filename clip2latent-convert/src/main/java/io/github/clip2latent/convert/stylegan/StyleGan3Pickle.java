package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.read.ConversionException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a StyleGAN3 generator's synthesis network from the inert module records of an NVIDIA
 * network pickle and checks it: class names, constructor options this converter implements, tensor
 * shapes against the stored channel counts, and the stored paddings against the reference's formula
 * (networks_stylegan3.py, SynthesisLayer.__init__ "Compute padding"). Every problem is a {@link
 * ConversionException} naming the pickle, the module path and what was expected and found.
 */
final class StyleGan3Pickle {

    /*
     * Class names as torch_utils.persistence stores them: the bare class name (the module is only
     * in the stored source text); a name qualified by its module is accepted too.
     */
    private static final String GENERATOR = "Generator";
    private static final String SYNTHESIS = "SynthesisNetwork";
    private static final String INPUT = "SynthesisInput";
    private static final String LAYER = "SynthesisLayer";
    private static final String AFFINE = "FullyConnectedLayer";

    /**
     * Constructor options of SynthesisNetwork and SynthesisLayer (as the generator forwards them):
     * all of them are stored in the pickle as the values this reader uses, so each is supported;
     * anything else is an option this converter does not know.
     */
    private static final Set<String> SYNTHESIS_OPTIONS =
            Set.of(
                    "w_dim",
                    "img_resolution",
                    "img_channels",
                    "channel_base",
                    "channel_max",
                    "num_layers",
                    "num_critical",
                    "first_cutoff",
                    "first_stopband",
                    "last_stopband_rel",
                    "margin_size",
                    "output_scale",
                    "num_fp16_res",
                    "conv_kernel",
                    "filter_size",
                    "lrelu_upsampling",
                    "use_radial_filters",
                    "conv_clamp",
                    "magnitude_ema_beta");

    /** Generator options besides the synthesis options. */
    private static final Set<String> GENERATOR_OPTIONS =
            Set.of("z_dim", "c_dim", "w_dim", "img_resolution", "img_channels", "mapping_kwargs");

    private final Path source;

    private StyleGan3Pickle(Path source) {
        this.source = source;
    }

    /**
     * Reads and checks the synthesis network of a generator.
     *
     * @param generator the {@code G_ema} record
     * @param source the pickle file, for messages
     * @return the checked network
     */
    static StyleGan3Synthesis read(StyleGan3Module generator, Path source) {
        return new StyleGan3Pickle(source).generator(generator);
    }

    private StyleGan3Synthesis generator(StyleGan3Module g) {
        requireClass(g, GENERATOR);
        for (String key : g.initKwargs().keySet()) {
            if (!GENERATOR_OPTIONS.contains(key) && !SYNTHESIS_OPTIONS.contains(key)) {
                throw fail(g, "unsupported generator option '" + key + "'");
            }
        }
        int cDim = intAttr(g, "c_dim");
        if (cDim != 0) {
            throw fail(
                    g,
                    "conditional generators are not supported (c_dim = " + cDim + ", expected 0)");
        }
        StyleGan3Module s = child(g, "synthesis");
        requireClass(s, SYNTHESIS);
        if (s.child("input").isEmpty()) {
            throw fail(
                    s,
                    "no Fourier-feature input (submodule 'input' of class SynthesisInput): not a"
                            + " StyleGAN3 synthesis network (StyleGAN2 has blocks b4, b8, ...)");
        }
        for (String key : s.initKwargs().keySet()) {
            if (!SYNTHESIS_OPTIONS.contains(key)) {
                throw fail(s, "unsupported synthesis option '" + key + "'");
            }
        }
        int wDim = intAttr(s, "w_dim");
        int numWs = intAttr(s, "num_ws");
        int resolution = intAttr(s, "img_resolution");
        int channels = intAttr(s, "img_channels");
        int numLayers = intAttr(s, "num_layers");
        double outputScale = doubleAttr(s, "output_scale");
        if (numWs != numLayers + 2) {
            throw fail(s, "num_ws = " + numWs + ", expected num_layers + 2 = " + (numLayers + 2));
        }
        if (intAttr(g, "num_ws") != numWs) {
            throw fail(g, "num_ws = " + intAttr(g, "num_ws") + " but synthesis.num_ws = " + numWs);
        }
        List<String> names = layerNames(s);
        if (names.size() != numLayers + 1) {
            throw fail(
                    s,
                    "layer_names has "
                            + names.size()
                            + " entries, expected num_layers + 1 = "
                            + (numLayers + 1));
        }
        List<StyleGan3Layer> layers = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            StyleGan3Module layer = child(s, names.get(i));
            layers.add(layer(layer, wDim, i == names.size() - 1));
        }
        StyleGan3Input input = input(child(s, "input"), wDim, s, child(s, names.get(0)));
        // Shapes chain: each layer consumes what the previous one makes.
        int c = input.channels();
        int size = input.width();
        if (input.width() != input.height()) {
            throw fail(
                    child(s, "input"), "non-square size " + input.width() + "x" + input.height());
        }
        for (StyleGan3Layer l : layers) {
            if (l.inChannels() != c || l.inSize() != size) {
                throw fail(
                        s,
                        l.path()
                                + " expects "
                                + l.inChannels()
                                + " channels at "
                                + l.inSize()
                                + " px but the previous stage gives "
                                + c
                                + " at "
                                + size);
            }
            c = l.outChannels();
            size = l.outSize();
        }
        if (c != channels || size != resolution) {
            throw fail(
                    s,
                    "the last layer gives "
                            + c
                            + " channels at "
                            + size
                            + " px, expected img_channels "
                            + channels
                            + " at img_resolution "
                            + resolution);
        }
        return new StyleGan3Synthesis(
                source,
                g.className(),
                wDim,
                numWs,
                resolution,
                channels,
                outputScale,
                input,
                layers);
    }

    private List<String> layerNames(StyleGan3Module s) {
        Object names = s.attributes().get("layer_names");
        if (!(names instanceof List<?> list)) {
            throw fail(s, "attribute layer_names is missing or not a list (found " + names + ")");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    private StyleGan3Input input(
            StyleGan3Module in, int wDim, StyleGan3Module synthesis, StyleGan3Module first) {
        requireClass(in, INPUT);
        int channels = intAttr(in, "channels");
        int[] size = sizePair(in, "size");
        // sampling_rate and bandwidth are numpy scalars in the pickle; when the reader keeps them
        // opaque, they follow from stored plain values: the first layer's in_sampling_rate and
        // cutoffs[0] = first_cutoff (SynthesisNetwork.__init__, exponents[0] = 0).
        double samplingRate =
                optionalDouble(in, "sampling_rate")
                        .orElseGet(() -> (double) intAttr(first, "in_sampling_rate"));
        double bandwidth =
                optionalDouble(in, "bandwidth")
                        .orElseGet(
                                () ->
                                        synthesis.initKwargs().get("first_cutoff")
                                                        instanceof Number n
                                                ? n.doubleValue()
                                                : 2.0);
        StyleGan3Affine affine = affine(child(in, "affine"), wDim, 4);
        return new StyleGan3Input(
                in.path(),
                channels,
                size[0],
                size[1],
                samplingRate,
                bandwidth,
                floats(in, "weight", channels, channels),
                affine,
                floats(in, "transform", 3, 3),
                floats(in, "freqs", channels, 2),
                floats(in, "phases", channels));
    }

    private StyleGan3Layer layer(StyleGan3Module l, int wDim, boolean last) {
        requireClass(l, LAYER);
        boolean toRgb = boolAttr(l, "is_torgb");
        if (toRgb != last) {
            throw fail(
                    l,
                    "is_torgb = "
                            + toRgb
                            + " but the layer is "
                            + (last ? "" : "not ")
                            + "the last");
        }
        int in = intAttr(l, "in_channels");
        int out = intAttr(l, "out_channels");
        int inSize = sizePair(l, "in_size")[0];
        int outSize = sizePair(l, "out_size")[0];
        int kernel = intAttr(l, "conv_kernel");
        int up = intAttr(l, "up_factor");
        int down = intAttr(l, "down_factor");
        int upTaps = intAttr(l, "up_taps");
        int downTaps = intAttr(l, "down_taps");
        // pad_total = (out - 1) * down + 1 - (in + k - 1) * up + up_taps + down_taps - 2;
        // pad_lo = (pad_total + up) // 2 (floor division); pad_hi = pad_total - pad_lo.
        int total = (outSize - 1) * down + 1 - (inSize + kernel - 1) * up + upTaps + downTaps - 2;
        int lo = Math.floorDiv(total + up, 2);
        int hi = total - lo;
        int[] padding = {lo, hi, lo, hi};
        Object stored = l.attributes().get("padding");
        if (stored instanceof List<?> list) {
            int[] s = list.stream().mapToInt(o -> ((Number) o).intValue()).toArray();
            if (!Arrays.equals(s, padding)) {
                throw fail(
                        l,
                        "stored padding "
                                + Arrays.toString(s)
                                + " differs from the reference formula's "
                                + Arrays.toString(padding));
            }
        }
        Object clamp = l.attributes().get("conv_clamp");
        double convClamp = clamp == null ? Double.NaN : number(l, "conv_clamp", clamp);
        float magnitude = floats(l, "magnitude_ema")[0];
        if (!(magnitude > 0) || Float.isInfinite(magnitude)) {
            throw fail(l, "buffer magnitude_ema = " + magnitude + ", expected a positive number");
        }
        return new StyleGan3Layer(
                l.path(),
                toRgb,
                in,
                out,
                inSize,
                outSize,
                kernel,
                up,
                down,
                padding,
                convClamp,
                magnitude,
                affine(child(l, "affine"), wDim, in),
                floats(l, "weight", out, in, kernel, kernel),
                floats(l, "bias", out),
                filter(l, "up_filter", upTaps),
                filter(l, "down_filter", downTaps));
    }

    private StyleGan3Filter filter(StyleGan3Module l, String name, int taps) {
        Optional<StyleGan3Module.Stored> t = l.tensor(name);
        if (taps == 1) {
            if (t.isPresent()) {
                throw fail(
                        l,
                        "buffer "
                                + name
                                + " is present but "
                                + name.replace("filter", "taps")
                                + " = 1");
            }
            return null;
        }
        if (t.isEmpty()) {
            throw fail(l, "missing buffer " + name + " (" + taps + " taps expected)");
        }
        long[] shape = t.get().shape();
        boolean separable = shape.length == 1;
        boolean ok =
                separable
                        ? shape[0] == taps
                        : shape.length == 2 && shape[0] == taps && shape[1] == taps;
        if (!ok) {
            throw fail(
                    l,
                    "buffer "
                            + name
                            + " has shape "
                            + Arrays.toString(shape)
                            + ", expected ["
                            + taps
                            + "] or ["
                            + taps
                            + ", "
                            + taps
                            + "]");
        }
        return new StyleGan3Filter(t.get().values().get(), taps, separable);
    }

    private StyleGan3Affine affine(StyleGan3Module a, int inFeatures, int outFeatures) {
        requireClass(a, AFFINE);
        Object activation = a.attributes().get("activation");
        if (!"linear".equals(activation)) {
            throw fail(
                    a, "activation '" + activation + "' is not supported here (expected linear)");
        }
        // weight_gain = lr_multiplier / sqrt(in_features); bias_gain = lr_multiplier
        Object lrm = a.initKwargs().get("lr_multiplier");
        double lr = lrm == null ? 1.0 : number(a, "lr_multiplier", lrm);
        double weightGain = optionalDouble(a, "weight_gain").orElse(lr / Math.sqrt(inFeatures));
        double biasGain = optionalDouble(a, "bias_gain").orElse(lr);
        return new StyleGan3Affine(
                a.path(),
                inFeatures,
                outFeatures,
                floats(a, "weight", outFeatures, inFeatures),
                floats(a, "bias", outFeatures),
                weightGain,
                biasGain);
    }

    // ---------------------------------------------------------------------------------------------

    private StyleGan3Module child(StyleGan3Module parent, String name) {
        return parent.child(name)
                .orElseThrow(() -> fail(parent, "missing submodule '" + name + "'"));
    }

    private void requireClass(StyleGan3Module m, String simpleName) {
        String name = m.className();
        if (!name.equals(simpleName) && !name.endsWith("." + simpleName)) {
            throw fail(
                    m,
                    "class "
                            + name
                            + ", expected "
                            + simpleName
                            + " (training.networks_stylegan3."
                            + simpleName
                            + ")");
        }
    }

    private float[] floats(StyleGan3Module m, String name, long... shape) {
        return tensor(m, name, shape).values().get();
    }

    private StyleGan3Module.Stored tensor(StyleGan3Module m, String name, long[] shape) {
        Optional<StyleGan3Module.Stored> t = m.tensor(name);
        if (t.isEmpty()) {
            throw fail(
                    m,
                    "missing tensor " + name + " (expected shape " + Arrays.toString(shape) + ")");
        }
        if (!Arrays.equals(t.get().shape(), shape)) {
            throw fail(
                    m,
                    "tensor "
                            + name
                            + " has shape "
                            + Arrays.toString(t.get().shape())
                            + ", expected "
                            + Arrays.toString(shape));
        }
        return t.get();
    }

    /** A size stored as a numpy pair in the attributes and as an int in the init kwargs. */
    private int[] sizePair(StyleGan3Module m, String name) {
        Object kw = m.initKwargs().get(name);
        if (kw instanceof Number n) {
            return new int[] {n.intValue(), n.intValue()};
        }
        if (kw instanceof List<?> list && list.size() == 2) {
            return new int[] {
                (int) number(m, name, list.get(0)), (int) number(m, name, list.get(1))
            };
        }
        Object attr = m.attributes().get(name);
        if (attr instanceof List<?> list && list.size() == 2) {
            return new int[] {
                (int) number(m, name, list.get(0)), (int) number(m, name, list.get(1))
            };
        }
        throw fail(m, "no readable " + name + " (init kwarg " + kw + ", attribute " + attr + ")");
    }

    private int intAttr(StyleGan3Module m, String name) {
        Object v = m.attributes().get(name);
        if (v == null) {
            throw fail(m, "missing attribute " + name);
        }
        double d = number(m, name, v);
        if (d != Math.rint(d)) {
            throw fail(m, "attribute " + name + " = " + v + ", expected an integer");
        }
        return (int) d;
    }

    private double doubleAttr(StyleGan3Module m, String name) {
        Object v = m.attributes().get(name);
        if (v == null) {
            throw fail(m, "missing attribute " + name);
        }
        return number(m, name, v);
    }

    private Optional<Double> optionalDouble(StyleGan3Module m, String name) {
        return m.attributes().get(name) instanceof Number n
                ? Optional.of(n.doubleValue())
                : Optional.empty();
    }

    private boolean boolAttr(StyleGan3Module m, String name) {
        Object v = m.attributes().get(name);
        if (v instanceof Boolean b) {
            return b;
        }
        throw fail(m, "attribute " + name + " = " + v + ", expected a boolean");
    }

    private double number(StyleGan3Module m, String name, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw fail(m, "attribute " + name + " = " + v + ", expected a number");
    }

    private ConversionException fail(StyleGan3Module m, String problem) {
        String module = m.path().isEmpty() ? "G_ema" : "G_ema." + m.path();
        return ConversionException.at(source, "module " + module, problem);
    }
}
