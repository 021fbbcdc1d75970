package io.github.clip2latent.convert.prior;

import com.google.common.collect.ImmutableMap;

import io.github.clip2latent.convert.graph.NamedTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The learned parameters of the prior network, keyed by the reference checkpoint's names without
 * the {@code ema_diffusion_prior.ema_model.} prefix (reference section 3). Linear weights are in
 * PyTorch layout {@code (out, in)}. Immutable; every name and shape is checked against the {@link
 * PriorConfig} on construction.
 */
public final class PriorWeights {

    /** The prefix of the EMA copy's keys in the published checkpoints. */
    public static final String CHECKPOINT_PREFIX = "ema_diffusion_prior.ema_model.";

    /** Learned query token (dim). */
    public static final String LEARNED_QUERY = "net.learned_query";

    /** Time embedding table (timesteps, dim). */
    public static final String TIME_EMBEDDINGS = "net.to_time_embeds.0.weight";

    /** Relative position bias table (32, heads). */
    public static final String REL_POS_BIAS =
            "net.causal_transformer.rel_pos_bias.relative_attention_bias.weight";

    /** Final LayerNorm gain (dim). */
    public static final String FINAL_NORM = "net.causal_transformer.norm.gamma";

    /** Output projection (dim, dim). */
    public static final String PROJECT_OUT = "net.causal_transformer.project_out.weight";

    private static final String LAYERS = "net.causal_transformer.layers.";

    private final PriorConfig config;
    private final ImmutableMap<String, NamedTensor> tensors;

    private PriorWeights(PriorConfig config, ImmutableMap<String, NamedTensor> tensors) {
        this.config = config;
        this.tensors = tensors;
    }

    /**
     * Checks and wraps a set of tensors.
     *
     * @param config the architecture the tensors must fit
     * @param tensors name to tensor; each tensor's own name must equal its key
     * @return the weights, in canonical order
     * @throws IllegalArgumentException naming the parameter, the expected and the found shape when
     *     a tensor is missing, unexpected or of the wrong shape
     */
    public static PriorWeights of(PriorConfig config, Map<String, NamedTensor> tensors) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(tensors, "tensors");
        Map<String, long[]> expected = expectedShapes(config);
        List<String> problems = new ArrayList<>();
        ImmutableMap.Builder<String, NamedTensor> ordered = ImmutableMap.builder();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            NamedTensor t = tensors.get(e.getKey());
            if (t == null) {
                problems.add(
                        "missing parameter '"
                                + e.getKey()
                                + "' (expected shape "
                                + Arrays.toString(e.getValue())
                                + ")");
            } else if (!t.name().equals(e.getKey())) {
                problems.add(
                        "parameter '" + e.getKey() + "' holds a tensor named '" + t.name() + "'");
            } else if (!t.hasShape(e.getValue())) {
                problems.add(
                        "parameter '"
                                + e.getKey()
                                + "' has shape "
                                + Arrays.toString(t.shape())
                                + ", expected "
                                + Arrays.toString(e.getValue()));
            } else {
                ordered.put(e.getKey(), t);
            }
        }
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                problems.add("unexpected parameter '" + name + "' for " + config);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "prior weights do not match " + config + ": " + String.join("; ", problems));
        }
        return new PriorWeights(config, ordered.build());
    }

    /**
     * The name and shape of every learned parameter for {@code config}, in canonical order (the
     * order of the reference's {@code state_dict}, without the rotary frequency buffers).
     *
     * @param config the architecture
     * @return name to shape, insertion-ordered
     */
    public static Map<String, long[]> expectedShapes(PriorConfig config) {
        long d = config.dim();
        long dh = config.dimHead();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(LEARNED_QUERY, new long[] {d});
        shapes.put(TIME_EMBEDDINGS, new long[] {config.timesteps(), d});
        shapes.put(REL_POS_BIAS, new long[] {PriorConfig.REL_POS_BUCKETS, config.heads()});
        for (int i = 0; i < config.depth(); i++) {
            shapes.put(attnNorm(i), new long[] {d});
            shapes.put(nullKv(i), new long[] {2, dh});
            shapes.put(toQ(i), new long[] {config.innerDim(), d});
            shapes.put(toKv(i), new long[] {2 * dh, d});
            shapes.put(toOut(i), new long[] {d, config.innerDim()});
            shapes.put(attnOutNorm(i), new long[] {d});
            shapes.put(ffNorm(i), new long[] {d});
            shapes.put(ffIn(i), new long[] {2L * config.ffInnerDim(), d});
            shapes.put(ffOut(i), new long[] {d, config.ffInnerDim()});
        }
        shapes.put(FINAL_NORM, new long[] {d});
        shapes.put(PROJECT_OUT, new long[] {d, d});
        return shapes;
    }

    /**
     * Seeded random weights that keep activations well-conditioned, for tests and benchmarks:
     * linear weights uniform with standard deviation {@code 1/sqrt(fan_in)}, LayerNorm gains {@code
     * 1 + U(-0.1, 0.1)}, embeddings, learned query and null key/value with standard deviation 1 (as
     * PyTorch's defaults), relative position bias with standard deviation 0.5. Uses only uniform
     * draws of {@link SplittableRandom}, whose algorithm is specified, so a seed gives the same
     * weights on every JVM.
     *
     * @param config the architecture
     * @param seed the seed
     * @return the weights
     */
    public static PriorWeights random(PriorConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expectedShapes(config).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
            float[] data = new float[n];
            if (name.endsWith("gamma")) {
                for (int i = 0; i < n; i++) {
                    data[i] = (float) (1.0 + random.nextDouble(-0.1, 0.1));
                }
            } else {
                double std;
                if (name.endsWith(".weight")
                        && !name.equals(TIME_EMBEDDINGS)
                        && !name.equals(REL_POS_BIAS)) {
                    std = 1.0 / Math.sqrt(shape[1]); // fan_in of an (out, in) matrix
                } else if (name.equals(REL_POS_BIAS)) {
                    std = 0.5;
                } else {
                    std = 1.0;
                }
                // A uniform on [-a, a] has standard deviation a / sqrt(3).
                double a = std * Math.sqrt(3.0);
                for (int i = 0; i < n; i++) {
                    data[i] = (float) random.nextDouble(-a, a);
                }
            }
            tensors.put(name, new NamedTensor(name, shape, data));
        }
        return of(config, tensors);
    }

    /**
     * The architecture these weights fit.
     *
     * @return the configuration
     */
    public PriorConfig config() {
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
     * One tensor by its reference name.
     *
     * @param name the parameter name, e.g. {@link #LEARNED_QUERY}
     * @return the tensor
     * @throws IllegalArgumentException when there is no such parameter
     */
    public NamedTensor get(String name) {
        NamedTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no prior parameter named '" + name + "'");
        }
        return t;
    }

    /**
     * The total number of values, equal to {@link PriorConfig#parameterCount()}.
     *
     * @return the sum of all tensor sizes
     */
    public long parameterCount() {
        return tensors.values().stream().mapToLong(NamedTensor::size).sum();
    }

    /**
     * Attention pre-norm gain of block {@code i}.
     *
     * @param i block index
     * @return the parameter name
     */
    public static String attnNorm(int i) {
        return LAYERS + i + ".0.norm.gamma";
    }

    /**
     * Learned null key and value (2, dimHead) of block {@code i}.
     *
     * @param i block index
     * @return the parameter name
     */
    public static String nullKv(int i) {
        return LAYERS + i + ".0.null_kv";
    }

    /**
     * Query projection (heads*dimHead, dim) of block {@code i}.
     *
     * @param i block index
     * @return the parameter name
     */
    public static String toQ(int i) {
        return LAYERS + i + ".0.to_q.weight";
    }

    /**
     * Shared key/value projection (2*dimHead, dim) of block {@code i}.
     *
     * @param i block index
     * @return the parameter name
     */
    public static String toKv(int i) {
        return LAYERS + i + ".0.to_kv.weight";
    }

    /**
     * Attention output projection (dim, heads*dimHead) of block {@code i}.
     *
     * @param i block index
     * @return the parameter name
     */
    public static String toOut(int i) {
        return LAYERS + i + ".0.to_out.0.weight";
    }

    /**
     * Attention post-norm gain of block {@code i}.
     *
     * @param i block index
     * @return the parameter name
     */
    public static String attnOutNorm(int i) {
        return LAYERS + i + ".0.to_out.1.gamma";
    }

    /**
     * Feed-forward pre-norm gain of block {@code i}.
     *
     * @param i block index
     * @return the parameter name
     */
    public static String ffNorm(int i) {
        return LAYERS + i + ".1.0.gamma";
    }

    /**
     * Feed-forward input projection (2*4*dim, dim) of block {@code i}.
     *
     * @param i block index
     * @return the parameter name
     */
    public static String ffIn(int i) {
        return LAYERS + i + ".1.1.weight";
    }

    /**
     * Feed-forward output projection (dim, 4*dim) of block {@code i}.
     *
     * @param i block index
     * @return the parameter name
     */
    public static String ffOut(int i) {
        return LAYERS + i + ".1.5.weight";
    }

    @Override
    public String toString() {
        return "PriorWeights[" + config + ", " + parameterCount() + " parameters]";
    }
}
