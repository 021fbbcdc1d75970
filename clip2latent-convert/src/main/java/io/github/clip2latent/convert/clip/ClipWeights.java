package io.github.clip2latent.convert.clip;

import com.google.common.collect.ImmutableMap;

import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.read.ConversionException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The parameters of an OpenAI CLIP ViT model under {@code clip/model.py}'s state-dict names
 * (PyTorch layouts: linear weights {@code (out, in)}, {@code proj} and {@code text_projection}
 * {@code (width, embed)}), checked against a {@link ClipConfig}. Immutable. Any source (OpenAI's
 * files, Hugging Face's names mapped by {@link HuggingFaceClipNames}, a model trained in Java) ends
 * here, so the graph writer never sees a file format.
 */
public final class ClipWeights {

    /** Text token embedding table (vocab, width). */
    public static final String TOKEN_EMBEDDING = "token_embedding.weight";

    /** Text positional embedding (context, width). */
    public static final String TEXT_POSITIONAL = "positional_embedding";

    /** Text projection (width, embed), applied as {@code x @ text_projection}. */
    public static final String TEXT_PROJECTION = "text_projection";

    /** The contrastive temperature's logarithm (scalar); unused by the encoders. */
    public static final String LOGIT_SCALE = "logit_scale";

    /** Prefix of the text transformer's blocks. */
    public static final String TEXT_BLOCKS = "transformer.resblocks.";

    /** Prefix of the vision transformer's blocks. */
    public static final String VISION_BLOCKS = "visual.transformer.resblocks.";

    /** Patch embedding (width, 3, patch, patch), no bias. */
    public static final String CONV1 = "visual.conv1.weight";

    /** Class token (width). */
    public static final String CLASS_EMBEDDING = "visual.class_embedding";

    /** Vision positional embedding (grid^2 + 1, width). */
    public static final String VISION_POSITIONAL = "visual.positional_embedding";

    /** Image projection (width, embed), applied as {@code x @ proj}. */
    public static final String VISION_PROJECTION = "visual.proj";

    /** Keys of archived released models that {@code build_model} deletes before loading. */
    public static final List<String> ARCHIVE_EXTRAS =
            List.of("input_resolution", "context_length", "vocab_size");

    /** Prefix of every image-tower parameter. */
    public static final String VISUAL_PREFIX = "visual.";

    private final ClipConfig config;
    private final ImmutableMap<String, NamedTensor> tensors;
    private final boolean imageTower;

    private ClipWeights(
            ClipConfig config, ImmutableMap<String, NamedTensor> tensors, boolean imageTower) {
        this.config = config;
        this.tensors = tensors;
        this.imageTower = imageTower;
    }

    /**
     * Checks and wraps a set of tensors, as {@code load_state_dict(strict=True)} would.
     *
     * @param config the architecture the tensors must fit
     * @param tensors name to tensor; each tensor's own name must equal its key
     * @param source where the tensors came from (a file name), for messages
     * @return the weights in canonical order
     * @throws ConversionException naming the source and every missing, unexpected or misshapen
     *     tensor
     */
    public static ClipWeights of(
            ClipConfig config, Map<String, NamedTensor> tensors, String source) {
        return checked(config, tensors, source, true);
    }

    /**
     * Checks and wraps the text tower's tensors alone (every name of {@link #expectedShapes} not
     * under {@value #VISUAL_PREFIX}, {@link #LOGIT_SCALE} included), for a model whose image tower
     * is not OpenAI's ViT. {@link ClipGraphWriter#buildTextEncoder} accepts them; {@link
     * ClipGraphWriter#buildImageEncoder} refuses them; the configuration's vision fields are not
     * read.
     *
     * @param config the architecture the text tensors must fit
     * @param tensors name to tensor; each tensor's own name must equal its key
     * @param source where the tensors came from, for messages
     * @return the text tower's weights in canonical order
     * @throws ConversionException naming the source and every missing, unexpected or misshapen
     *     tensor
     */
    public static ClipWeights textTower(
            ClipConfig config, Map<String, NamedTensor> tensors, String source) {
        return checked(config, tensors, source, false);
    }

    private static ClipWeights checked(
            ClipConfig config, Map<String, NamedTensor> tensors, String source, boolean image) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(tensors, "tensors");
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((k, v) -> shapes.put(k, v.shape()));
        Map<String, long[]> expected = expectedShapes(config, image);
        checkShapes(config, expected, shapes, source);
        ImmutableMap.Builder<String, NamedTensor> ordered = ImmutableMap.builder();
        for (String name : expected.keySet()) {
            NamedTensor t = tensors.get(name);
            if (!t.name().equals(name)) {
                throw new ConversionException(
                        source + ": key '" + name + "' holds a tensor named '" + t.name() + "'");
            }
            ordered.put(name, t);
        }
        return new ClipWeights(config, ordered.build(), image);
    }

    /**
     * Checks names and shapes against the configuration.
     *
     * @throws ConversionException listing every missing, unexpected or misshapen tensor
     */
    static void checkShapes(ClipConfig config, Map<String, long[]> shapes, String source) {
        checkShapes(config, expectedShapes(config), shapes, source);
    }

    private static void checkShapes(
            ClipConfig config,
            Map<String, long[]> expected,
            Map<String, long[]> shapes,
            String source) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] found = shapes.get(e.getKey());
            if (found == null) {
                problems.add(
                        "missing tensor '"
                                + e.getKey()
                                + "' (expected shape "
                                + Arrays.toString(e.getValue())
                                + ")");
            } else if (!Arrays.equals(found, e.getValue())) {
                problems.add(
                        "tensor '"
                                + e.getKey()
                                + "' has shape "
                                + Arrays.toString(found)
                                + ", expected "
                                + Arrays.toString(e.getValue()));
            }
        }
        for (String name : shapes.keySet()) {
            if (!expected.containsKey(name)) {
                problems.add("unexpected tensor '" + name + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConversionException(
                    source
                            + ": does not match the CLIP architecture inferred from it ("
                            + config
                            + "): "
                            + String.join("; ", problems));
        }
    }

    /**
     * The name and shape of every parameter for {@code config}, in the order of {@code
     * CLIP.state_dict()}.
     *
     * @param config the architecture
     * @return name to shape, insertion-ordered
     */
    public static Map<String, long[]> expectedShapes(ClipConfig config) {
        return expectedShapes(config, true);
    }

    private static Map<String, long[]> expectedShapes(ClipConfig config, boolean image) {
        Map<String, long[]> all = allShapes(config);
        if (!image) {
            all.keySet().removeIf(name -> name.startsWith(VISUAL_PREFIX));
        }
        return all;
    }

    private static Map<String, long[]> allShapes(ClipConfig config) {
        long w = config.textWidth();
        long vw = config.visionWidth();
        long e = config.embedDim();
        long p = config.visionPatchSize();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put(TEXT_POSITIONAL, new long[] {config.contextLength(), w});
        s.put(TEXT_PROJECTION, new long[] {w, e});
        s.put(LOGIT_SCALE, new long[0]);
        s.put(CLASS_EMBEDDING, new long[] {vw});
        s.put(VISION_POSITIONAL, new long[] {config.visionTokens(), vw});
        s.put(VISION_PROJECTION, new long[] {vw, e});
        s.put(CONV1, new long[] {vw, 3, p, p});
        s.put("visual.ln_pre.weight", new long[] {vw});
        s.put("visual.ln_pre.bias", new long[] {vw});
        for (int i = 0; i < config.visionLayers(); i++) {
            putBlock(s, VISION_BLOCKS + i + ".", vw);
        }
        s.put("visual.ln_post.weight", new long[] {vw});
        s.put("visual.ln_post.bias", new long[] {vw});
        for (int i = 0; i < config.textLayers(); i++) {
            putBlock(s, TEXT_BLOCKS + i + ".", w);
        }
        s.put(TOKEN_EMBEDDING, new long[] {config.vocabSize(), w});
        s.put("ln_final.weight", new long[] {w});
        s.put("ln_final.bias", new long[] {w});
        return s;
    }

    private static void putBlock(Map<String, long[]> s, String prefix, long d) {
        s.put(prefix + "attn.in_proj_weight", new long[] {3 * d, d});
        s.put(prefix + "attn.in_proj_bias", new long[] {3 * d});
        s.put(prefix + "attn.out_proj.weight", new long[] {d, d});
        s.put(prefix + "attn.out_proj.bias", new long[] {d});
        s.put(prefix + "ln_1.weight", new long[] {d});
        s.put(prefix + "ln_1.bias", new long[] {d});
        s.put(prefix + "mlp.c_fc.weight", new long[] {4 * d, d});
        s.put(prefix + "mlp.c_fc.bias", new long[] {4 * d});
        s.put(prefix + "mlp.c_proj.weight", new long[] {d, 4 * d});
        s.put(prefix + "mlp.c_proj.bias", new long[] {d});
        s.put(prefix + "ln_2.weight", new long[] {d});
        s.put(prefix + "ln_2.bias", new long[] {d});
    }

    /**
     * Seeded random weights at the scales of {@code CLIP.initialize_parameters} (normal draws
     * replaced by uniform ones of the same standard deviation; LayerNorm gains {@code 1 + U(-0.1,
     * 0.1)}, biases {@code U(-0.02, 0.02)}), for benchmarks and tests at published sizes. Uses only
     * {@link SplittableRandom}'s specified uniform draws, so a seed gives the same weights on every
     * JVM.
     *
     * @param config the architecture
     * @param seed the seed
     * @return the weights
     */
    public static ClipWeights random(ClipConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expectedShapes(config).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
            float[] data = new float[n];
            boolean vision = name.startsWith("visual.");
            double width = vision ? config.visionWidth() : config.textWidth();
            double layers = vision ? config.visionLayers() : config.textLayers();
            if (name.matches(".*ln_\\w+\\.weight") || name.equals("ln_final.weight")) {
                fill(random, data, 1.0, 0.1);
            } else if (name.endsWith("bias")) {
                fill(random, data, 0.0, 0.02);
            } else if (name.equals(LOGIT_SCALE)) {
                data[0] = (float) Math.log(1 / 0.07);
            } else {
                double std;
                if (name.equals(TOKEN_EMBEDDING)) {
                    std = 0.02;
                } else if (name.equals(TEXT_POSITIONAL)) {
                    std = 0.01;
                } else if (name.endsWith("in_proj_weight")
                        || name.equals(TEXT_PROJECTION)
                        || name.equals(CLASS_EMBEDDING)
                        || name.equals(VISION_POSITIONAL)
                        || name.equals(VISION_PROJECTION)) {
                    std = Math.pow(width, -0.5);
                } else if (name.endsWith("c_fc.weight")) {
                    std = Math.pow(2 * width, -0.5);
                } else if (name.equals(CONV1)) {
                    std = Math.pow(shape[1] * shape[2] * shape[3], -0.5);
                } else {
                    std = Math.pow(width, -0.5) * Math.pow(2 * layers, -0.5);
                }
                // A uniform on [-a, a] has standard deviation a / sqrt(3).
                fill(random, data, 0.0, std * Math.sqrt(3.0));
            }
            tensors.put(name, new NamedTensor(name, shape, data));
        }
        return of(config, tensors, "random CLIP weights, seed " + seed);
    }

    private static void fill(SplittableRandom random, float[] data, double center, double a) {
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (center + random.nextDouble(-a, a));
        }
    }

    /**
     * The architecture these weights fit.
     *
     * @return the configuration
     */
    public ClipConfig config() {
        return config;
    }

    /**
     * All tensors in canonical order.
     *
     * @return an immutable name-to-tensor map
     */
    public ImmutableMap<String, NamedTensor> tensors() {
        return tensors;
    }

    /**
     * Whether these weights hold OpenAI's ViT image tower ({@code false} for {@link #textTower}).
     *
     * @return true when every {@value #VISUAL_PREFIX} parameter is present
     */
    public boolean hasImageTower() {
        return imageTower;
    }

    /**
     * One tensor by its OpenAI name.
     *
     * @param name the parameter name, e.g. {@link #CONV1}
     * @return the tensor
     * @throws IllegalArgumentException when there is no such parameter
     */
    public NamedTensor get(String name) {
        NamedTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(
                    "no CLIP parameter named '"
                            + name
                            + "'"
                            + (imageTower ? "" : " (these are the text tower's weights alone)"));
        }
        return t;
    }

    /**
     * The total number of values.
     *
     * @return the sum of all tensor sizes
     */
    public long parameterCount() {
        return tensors.values().stream().mapToLong(NamedTensor::size).sum();
    }

    @Override
    public String toString() {
        return "ClipWeights[" + config + ", " + parameterCount() + " parameters]";
    }
}
