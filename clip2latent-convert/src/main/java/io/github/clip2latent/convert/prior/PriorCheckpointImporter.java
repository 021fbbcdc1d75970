package io.github.clip2latent.convert.prior;

import com.google.common.hash.Hashing;

import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.read.ConversionException;
import io.github.clip2latent.convert.read.StateDict;
import io.github.clip2latent.convert.read.Tensor;
import io.github.clip2latent.convert.read.TorchZipReader;
import io.github.clip2latent.schedule.BetaSchedule;
import io.github.clip2latent.schedule.NoiseSchedule;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports a clip2latent prior checkpoint ({@code ffhq-sg2-510.ckpt}, {@code lhq-sg3-410.ckpt}: a
 * {@code torch.save} zip of {@code {"state_dict": DiffusionPriorTrainer.state_dict()}}) into the
 * prior ONNX graph: the EMA copy by default, the network size inferred from the tensor shapes and
 * checked, the stored schedule buffers compared with the cosine schedule, {@code
 * latent_mean}/{@code latent_std} taken from the file.
 */
public final class PriorCheckpointImporter {

    /** Which of the checkpoint's weight copies to import. */
    public enum Copy {
        /**
         * The moving average, {@code ema_diffusion_prior.ema_model.*}: what the reference samples
         * with.
         */
        EMA("ema_diffusion_prior.ema_model."),
        /** The online (training) weights, {@code diffusion_prior.*}. */
        ONLINE("diffusion_prior.");

        private final String prefix;

        Copy(String prefix) {
            this.prefix = prefix;
        }

        /**
         * The key prefix of this copy in the checkpoint's state dict.
         *
         * @return e.g. {@code ema_diffusion_prior.ema_model.}
         */
        public String prefix() {
            return prefix;
        }
    }

    /** The schedule buffers DALLE2-pytorch 0.2.38 registers, all compared when present. */
    static final List<String> SCHEDULE_BUFFERS =
            List.of(
                    "betas",
                    "alphas_cumprod",
                    "alphas_cumprod_prev",
                    "sqrt_alphas_cumprod",
                    "sqrt_one_minus_alphas_cumprod",
                    "log_one_minus_alphas_cumprod",
                    "sqrt_recip_alphas_cumprod",
                    "sqrt_recipm1_alphas_cumprod",
                    "posterior_variance",
                    "posterior_log_variance_clipped",
                    "posterior_mean_coef1",
                    "posterior_mean_coef2");

    /** Relative tolerance of the schedule comparison (float32 buffers of float64 values). */
    static final double SCHEDULE_RTOL = 1e-4;

    private static final Pattern LAYER =
            Pattern.compile("^net\\.causal_transformer\\.layers\\.(\\d+)\\.");

    private PriorCheckpointImporter() {}

    /**
     * A checked, in-memory reading of one copy: weights, statistics and schedule.
     *
     * @param weights the network weights
     * @param latentMean {@code latent_mean}
     * @param latentStd {@code latent_std}
     * @param schedule the schedule the buffers matched
     */
    public record Reading(
            PriorWeights weights, float[] latentMean, float[] latentStd, BetaSchedule schedule) {}

    /**
     * Reads and checks one copy without writing anything.
     *
     * @param checkpoint the {@code .ckpt} file
     * @param copy which weights
     * @return the weights, statistics and schedule
     * @throws ConversionException naming the file, the key and the problem
     */
    public static Reading read(Path checkpoint, Copy copy) {
        Objects.requireNonNull(copy, "copy");
        try (StateDict all = TorchZipReader.readStateDict(checkpoint, "state_dict")) {
            StateDict sd = all.withPrefix(copy.prefix());
            if (sd.size() == 0) {
                Set<String> prefixes = new TreeSet<>();
                for (String n : all.names()) {
                    int dot = n.indexOf('.');
                    prefixes.add(dot < 0 ? n : n.substring(0, dot + 1));
                }
                throw ConversionException.at(
                        checkpoint,
                        "state_dict",
                        "no "
                                + copy
                                + " copy: no tensors under '"
                                + copy.prefix()
                                + "' (top-level prefixes: "
                                + prefixes
                                + ")");
            }
            PriorConfig config = inferConfig(checkpoint, copy, sd);
            Map<String, NamedTensor> tensors = new LinkedHashMap<>();
            for (String name : PriorWeights.expectedShapes(config).keySet()) {
                Tensor t = sd.get(name);
                tensors.put(name, new NamedTensor(name, t.shape(), t.toFloatArray()));
            }
            PriorWeights weights;
            try {
                weights = PriorWeights.of(config, tensors);
            } catch (IllegalArgumentException e) {
                throw ConversionException.at(
                        checkpoint, "state_dict['" + copy.prefix() + "*']", e.getMessage(), e);
            }
            checkGraphAssumptions(checkpoint, copy, sd, config);
            BetaSchedule schedule = checkSchedule(checkpoint, copy, sd, config.timesteps());
            float[] mean = vector(checkpoint, copy, sd, "latent_mean", config.dim());
            float[] std = vector(checkpoint, copy, sd, "latent_std", config.dim());
            for (int i = 0; i < std.length; i++) {
                if (!(std[i] > 0) || !Float.isFinite(std[i]) || !Float.isFinite(mean[i])) {
                    throw ConversionException.at(
                            checkpoint,
                            "state_dict['" + copy.prefix() + "latent_std']",
                            "expected finite statistics with std > 0, found mean "
                                    + mean[i]
                                    + ", std "
                                    + std[i]
                                    + " at index "
                                    + i);
                }
            }
            return new Reading(weights, mean, std, schedule);
        }
    }

    /**
     * Reads, checks and writes the prior graph atomically.
     *
     * @param checkpoint the {@code .ckpt} file
     * @param graphFile the ONNX file to write
     * @param copy which weights ({@link Copy#EMA} unless reproducing training diagnostics)
     * @return the written file and what a bundle needs besides it
     * @throws IOException when hashing the source or writing the graph fails
     * @throws ConversionException naming the file, the key and the problem
     */
    public static PriorImport importCheckpoint(Path checkpoint, Path graphFile, Copy copy)
            throws IOException {
        Reading r = read(checkpoint, copy);
        String sha =
                com.google.common.io.Files.asByteSource(checkpoint.toFile())
                        .hash(Hashing.sha256())
                        .toString();
        String provenance =
                "clip2latent prior checkpoint "
                        + checkpoint.getFileName()
                        + " (sha256 "
                        + sha
                        + "), "
                        + copy.prefix()
                        + "*, "
                        + r.schedule().manifestName()
                        + " schedule";
        PriorGraphWriter.write(r.weights(), provenance, graphFile);
        return new PriorImport(
                graphFile,
                r.weights().config(),
                r.latentMean(),
                r.latentStd(),
                r.schedule().manifestName(),
                r.weights().config().timesteps(),
                copy,
                sha);
    }

    private static String key(Copy copy, String name) {
        return "state_dict['" + copy.prefix() + name + "']";
    }

    private static long[] shape(Path file, Copy copy, StateDict sd, String name, int rank) {
        Tensor t =
                sd.find(name)
                        .orElseThrow(
                                () ->
                                        ConversionException.at(
                                                file,
                                                key(copy, name),
                                                "missing: not a clip2latent prior checkpoint"
                                                    + " (DALLE2-pytorch DiffusionPriorNetwork)"));
        long[] s = t.shape();
        if (s.length != rank) {
            throw ConversionException.at(
                    file,
                    key(copy, name),
                    "expected rank " + rank + ", found shape " + Arrays.toString(s));
        }
        return s;
    }

    /**
     * dim from {@code learned_query}, timesteps from the time-embedding table, depth from the layer
     * indices, dim_head from {@code to_kv} (one shared key/value head: 2 dim_head rows), heads from
     * {@code to_q} (heads dim_head rows); every layer checked against layer 0.
     */
    static PriorConfig inferConfig(Path file, Copy copy, StateDict sd) {
        int dim = (int) shape(file, copy, sd, PriorWeights.LEARNED_QUERY, 1)[0];
        long[] time = shape(file, copy, sd, PriorWeights.TIME_EMBEDDINGS, 2);
        if (time[1] != dim) {
            throw ConversionException.at(
                    file,
                    key(copy, PriorWeights.TIME_EMBEDDINGS),
                    "expected (timesteps, " + dim + "), found " + Arrays.toString(time));
        }
        int timesteps = (int) time[0];
        Set<Integer> layers = new LinkedHashSet<>();
        for (String n : sd.names()) {
            Matcher m = LAYER.matcher(n);
            if (m.find()) {
                layers.add(Integer.parseInt(m.group(1)));
            }
        }
        int depth = layers.size();
        for (int i = 0; i < depth; i++) {
            if (!layers.contains(i)) {
                throw ConversionException.at(
                        file,
                        key(copy, "net.causal_transformer.layers." + i + ".*"),
                        "missing layer " + i + " of layers " + new TreeSet<>(layers));
            }
        }
        if (depth == 0) {
            throw ConversionException.at(
                    file, key(copy, "net.causal_transformer.layers.*"), "no transformer layers");
        }
        long[] kv = shape(file, copy, sd, PriorWeights.toKv(0), 2);
        long[] q = shape(file, copy, sd, PriorWeights.toQ(0), 2);
        if (kv[1] != dim || kv[0] % 2 != 0) {
            throw ConversionException.at(
                    file,
                    key(copy, PriorWeights.toKv(0)),
                    "expected (2 * dim_head, " + dim + "), found " + Arrays.toString(kv));
        }
        int dimHead = (int) (kv[0] / 2);
        if (q[1] != dim || q[0] % dimHead != 0) {
            throw ConversionException.at(
                    file,
                    key(copy, PriorWeights.toQ(0)),
                    "expected (heads * " + dimHead + ", " + dim + "), found " + Arrays.toString(q));
        }
        int heads = (int) (q[0] / dimHead);
        for (int i = 1; i < depth; i++) {
            long[] kvi = shape(file, copy, sd, PriorWeights.toKv(i), 2);
            long[] qi = shape(file, copy, sd, PriorWeights.toQ(i), 2);
            if (!Arrays.equals(kvi, kv)) {
                throw ConversionException.at(
                        file,
                        key(copy, PriorWeights.toKv(i)),
                        "inconsistent layer shapes: "
                                + Arrays.toString(kvi)
                                + ", layer 0 has "
                                + Arrays.toString(kv));
            }
            if (!Arrays.equals(qi, q)) {
                throw ConversionException.at(
                        file,
                        key(copy, PriorWeights.toQ(i)),
                        "inconsistent layer shapes: "
                                + Arrays.toString(qi)
                                + ", layer 0 has "
                                + Arrays.toString(q));
            }
        }
        long[] rel = shape(file, copy, sd, PriorWeights.REL_POS_BIAS, 2);
        if (rel[1] != heads) {
            throw ConversionException.at(
                    file,
                    key(copy, PriorWeights.REL_POS_BIAS),
                    "expected ("
                            + PriorConfig.REL_POS_BUCKETS
                            + ", "
                            + heads
                            + " heads from to_q), found "
                            + Arrays.toString(rel));
        }
        try {
            return new PriorConfig(dim, depth, heads, dimHead, timesteps);
        } catch (IllegalArgumentException e) {
            throw ConversionException.at(file, "state_dict", e.getMessage(), e);
        }
    }

    /**
     * The graph has no LayerNorm biases (DALLE2-pytorch's LayerNorm registers beta as a zero
     * buffer) and computes the rotary frequencies itself ({@code 1 / 10000^(2m / rot)},
     * rotary-embedding-torch 0.1.5): check that the file agrees.
     */
    private static void checkGraphAssumptions(Path file, Copy copy, StateDict sd, PriorConfig c) {
        for (String n : sd.names()) {
            if (n.startsWith("net.") && n.endsWith(".beta")) {
                float[] b = sd.get(n).toFloatArray();
                for (int i = 0; i < b.length; i++) {
                    if (b[i] != 0f) {
                        throw ConversionException.at(
                                file,
                                key(copy, n),
                                "LayerNorm bias must be zero (a buffer in DALLE2-pytorch), found "
                                        + b[i]
                                        + " at index "
                                        + i);
                    }
                }
            }
            if (n.endsWith("rotary_emb.freqs")) {
                float[] f = sd.get(n).toFloatArray();
                int rot = c.rotaryDim();
                if (f.length != rot / 2) {
                    throw ConversionException.at(
                            file,
                            key(copy, n),
                            "expected " + rot / 2 + " rotary frequencies, found " + f.length);
                }
                for (int m = 0; m < f.length; m++) {
                    double expected = 1.0 / Math.pow(10000.0, (2.0 * m) / rot);
                    if (Math.abs(f[m] - expected) > 1e-6 * Math.max(1e-3, expected)) {
                        throw ConversionException.at(
                                file,
                                key(copy, n),
                                "rotary frequency "
                                        + m
                                        + " is "
                                        + f[m]
                                        + ", expected 1/10000^("
                                        + 2 * m
                                        + "/"
                                        + rot
                                        + ") = "
                                        + expected);
                    }
                }
            }
        }
    }

    /** Compares the stored schedule buffers with the cosine schedule (reference section 1). */
    static BetaSchedule checkSchedule(Path file, Copy copy, StateDict sd, int timesteps) {
        if (!sd.contains("betas") || !sd.contains("alphas_cumprod")) {
            throw ConversionException.at(
                    file, key(copy, "betas"), "missing schedule buffers (betas, alphas_cumprod)");
        }
        NoiseSchedule cosine = NoiseSchedule.cosine(timesteps);
        String mismatch = scheduleMismatch(sd, cosine, timesteps);
        if (mismatch == null) {
            return BetaSchedule.COSINE;
        }
        String hint = "";
        try {
            if (scheduleMismatch(sd, NoiseSchedule.linear(timesteps), timesteps) == null) {
                hint =
                        "; the buffers match the linear schedule, which the clip2latent prior"
                                + " graph and samplers here do not support";
            }
        } catch (IllegalArgumentException ignored) {
            // no linear schedule of that length
        }
        throw ConversionException.at(
                file,
                key(copy, mismatch.substring(0, mismatch.indexOf('['))),
                "schedule is not cosine: " + mismatch + hint);
    }

    private static String scheduleMismatch(StateDict sd, NoiseSchedule s, int timesteps) {
        Map<String, DoubleUnaryOperator> expected = new LinkedHashMap<>();
        expected.put("betas", t -> s.beta((int) t));
        expected.put("alphas_cumprod", t -> s.alphaBarExact((int) t));
        expected.put("alphas_cumprod_prev", t -> s.alphaBarPrev((int) t));
        expected.put("sqrt_alphas_cumprod", t -> Math.sqrt(s.alphaBarExact((int) t)));
        expected.put("sqrt_one_minus_alphas_cumprod", t -> Math.sqrt(1 - s.alphaBarExact((int) t)));
        expected.put("log_one_minus_alphas_cumprod", t -> Math.log(1 - s.alphaBarExact((int) t)));
        expected.put("sqrt_recip_alphas_cumprod", t -> Math.sqrt(1 / s.alphaBarExact((int) t)));
        expected.put(
                "sqrt_recipm1_alphas_cumprod", t -> Math.sqrt(1 / s.alphaBarExact((int) t) - 1));
        expected.put("posterior_variance", t -> s.posteriorVariance((int) t));
        expected.put(
                "posterior_log_variance_clipped", t -> s.posteriorLogVarianceClippedExact((int) t));
        expected.put("posterior_mean_coef1", t -> s.posteriorMeanCoef1((int) t));
        expected.put("posterior_mean_coef2", t -> s.posteriorMeanCoef2((int) t));
        for (Map.Entry<String, DoubleUnaryOperator> e : expected.entrySet()) {
            if (!sd.contains(e.getKey())) {
                continue;
            }
            Tensor t = sd.get(e.getKey());
            if (!t.hasShape(timesteps)) {
                return e.getKey()
                        + "[] has shape "
                        + Arrays.toString(t.shape())
                        + ", expected ("
                        + timesteps
                        + ",)";
            }
            float[] v = t.toFloatArray();
            for (int i = 0; i < timesteps; i++) {
                double want = e.getValue().applyAsDouble(i);
                double tol = SCHEDULE_RTOL * Math.max(Math.abs(want), 1e-3);
                if (!(Math.abs(v[i] - want) <= tol)) {
                    return e.getKey()
                            + "["
                            + i
                            + "] is "
                            + v[i]
                            + ", the cosine schedule of "
                            + timesteps
                            + " steps has "
                            + (float) want;
                }
            }
        }
        return null;
    }

    private static float[] vector(Path file, Copy copy, StateDict sd, String name, int dim) {
        Tensor t =
                sd.find(name)
                        .orElseThrow(
                                () ->
                                        ConversionException.at(
                                                file,
                                                key(copy, name),
                                                "missing latent statistics"));
        if (!t.hasShape(dim)) {
            throw ConversionException.at(
                    file,
                    key(copy, name),
                    "expected shape (" + dim + ",), found " + Arrays.toString(t.shape()));
        }
        return t.toFloatArray();
    }
}
