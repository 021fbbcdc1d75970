package io.github.clip2latent.bundle;

import io.github.clip2latent.tensor.ElementType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inputs and outputs the library expects of each stage, by role and in order, derived from the
 * manifest's dimensions. Names are free (a bundle may use a real exported graph's names); element
 * types, ranks and dimensions are not. -1 is the dynamic batch dimension.
 */
public final class StageContract {

    /**
     * Name of the synthesis input that weighs the stored constant noise, float {@code [1]}; the
     * last input of a synthesis graph with noise inputs. Each noise layer adds {@code (noise +
     * noise_const * noise_const_scale) * noise_strength}.
     */
    public static final String NOISE_CONST_SCALE = "noise_const_scale";

    private StageContract() {}

    /**
     * The synthesis inputs after {@code ws} for a generator with noise: one float {@code [-1, 1, r,
     * r]} per noise layer (named after the layer, e.g. {@code b8.conv0}, in the reference's drawing
     * order), then {@value #NOISE_CONST_SCALE} float {@code [1]}; empty without noise.
     *
     * @param noiseInputs layer name to resolution, in drawing order
     * @return the input specs after {@code ws}
     */
    public static List<TensorSpec> noiseInputs(Map<String, Integer> noiseInputs) {
        List<TensorSpec> out = new ArrayList<>();
        noiseInputs.forEach((name, r) -> out.add(TensorSpec.float32(name, -1, 1, r, r)));
        if (!out.isEmpty()) {
            out.add(TensorSpec.float32(NOISE_CONST_SCALE, 1));
        }
        return List.copyOf(out);
    }

    /**
     * The noise layers a synthesis spec declares: name to resolution, in order; empty without
     * noise.
     *
     * @param synthesis a synthesis stage spec that passed {@link #check}
     * @return an ordered map
     */
    public static Map<String, Integer> declaredNoise(StageSpec synthesis) {
        Map<String, Integer> out = new LinkedHashMap<>();
        List<TensorSpec> in = synthesis.inputs();
        for (int i = 1; i < in.size() - 1; i++) {
            out.put(in.get(i).name(), (int) in.get(i).dim(2));
        }
        return out;
    }

    /** The expected inputs of {@code stage}, with the library's default names. */
    public static List<TensorSpec> inputs(
            Stage stage,
            int latentDim,
            int numWs,
            int zDim,
            int embeddingDim,
            int imageSize,
            int encoderInputSize,
            int contextLength) {
        return switch (stage) {
            case TEXT_ENCODER -> List.of(TensorSpec.int64("input_ids", -1, contextLength));
            case IMAGE_ENCODER ->
                    List.of(
                            TensorSpec.float32(
                                    "pixel_values", -1, 3, encoderInputSize, encoderInputSize));
            case PRIOR ->
                    List.of(
                            TensorSpec.float32("x_t", -1, latentDim),
                            TensorSpec.int64("t", -1),
                            TensorSpec.float32("condition", -1, embeddingDim),
                            TensorSpec.float32("keep_condition", -1));
            case MAPPING -> List.of(TensorSpec.float32("z", -1, zDim));
            case SYNTHESIS -> List.of(TensorSpec.float32("ws", -1, numWs, latentDim));
            case SYNTHESIS_PREVIEW ->
                    throw new IllegalArgumentException(
                            "the preview's inputs depend on its resolution: use previewInputs");
        };
    }

    /** The expected outputs of {@code stage}, with the library's default names. */
    public static List<TensorSpec> outputs(
            Stage stage, int latentDim, int embeddingDim, int imageSize) {
        return switch (stage) {
            case TEXT_ENCODER -> List.of(TensorSpec.float32("text_embeds", -1, embeddingDim));
            case IMAGE_ENCODER -> List.of(TensorSpec.float32("image_embeds", -1, embeddingDim));
            case PRIOR -> List.of(TensorSpec.float32("x0", -1, latentDim));
            case MAPPING -> List.of(TensorSpec.float32("w", -1, latentDim));
            case SYNTHESIS -> List.of(TensorSpec.float32("image", -1, 3, imageSize, imageSize));
            case SYNTHESIS_PREVIEW ->
                    throw new IllegalArgumentException(
                            "the preview's outputs depend on its resolution: use previewOutputs");
        };
    }

    /**
     * The inputs of a preview synthesis: {@code ws float32[-1, wsRows, latentDim]} (the first rows
     * of the full ws), then its noise inputs and the scale as {@link #noiseInputs}.
     */
    public static List<TensorSpec> previewInputs(
            int wsRows, int latentDim, Map<String, Integer> noise) {
        List<TensorSpec> out = new ArrayList<>();
        out.add(TensorSpec.float32("ws", -1, wsRows, latentDim));
        out.addAll(noiseInputs(noise));
        return List.copyOf(out);
    }

    /** The output of a preview synthesis: {@code image float32[-1, 3, size, size]}. */
    public static List<TensorSpec> previewOutputs(int size) {
        return List.of(TensorSpec.float32("image", -1, 3, size, size));
    }

    /** The expected inputs for a manifest's dimensions. */
    public static List<TensorSpec> inputs(BundleManifest m, Stage stage) {
        return inputs(
                stage,
                m.latentDim(),
                m.numWs(),
                m.zDim(),
                m.embeddingDim(),
                m.imageSize(),
                m.preprocessing().inputSize(),
                m.tokenizer().contextLength());
    }

    /** The expected outputs for a manifest's dimensions. */
    public static List<TensorSpec> outputs(BundleManifest m, Stage stage) {
        return outputs(stage, m.latentDim(), m.embeddingDim(), m.imageSize());
    }

    /**
     * Checks that the manifest declares each stage as the contract requires (any names).
     *
     * @throws BundleException naming the manifest file, the JSON path, the expected and the found
     *     spec
     */
    static void check(BundleManifest m, Path manifestFile) throws BundleException {
        for (Stage stage : Stage.values()) {
            StageSpec spec = m.stage(stage);
            if (stage.optional()) {
                if (spec != null) {
                    checkPreview(m, manifestFile, spec);
                }
                continue;
            }
            List<TensorSpec> declaredInputs = spec.inputs();
            if (stage == Stage.SYNTHESIS && declaredInputs.size() > 1) {
                checkNoise(m, manifestFile, "stages." + stage.key() + ".inputs", declaredInputs);
                declaredInputs = declaredInputs.subList(0, 1);
            }
            compare(
                    manifestFile,
                    "stages." + stage.key() + ".inputs",
                    declaredInputs,
                    inputs(m, stage),
                    m);
            compare(
                    manifestFile,
                    "stages." + stage.key() + ".outputs",
                    spec.outputs(),
                    outputs(m, stage),
                    m);
        }
    }

    /**
     * The inputs after {@code ws}: noise layers {@code float32[?, 1, r, r]} with r a power of two
     * in [4, imageSize], then {@value #NOISE_CONST_SCALE}-like {@code float32[1]} last.
     */
    private static void checkNoise(
            BundleManifest m, Path file, String path, List<TensorSpec> declared)
            throws BundleException {
        Map<String, Integer> noise = new LinkedHashMap<>();
        for (int i = 1; i < declared.size() - 1; i++) {
            TensorSpec t = declared.get(i);
            long[] s = t.shape();
            boolean ok =
                    t.type() == ElementType.FLOAT
                            && s.length == 4
                            && s[0] == -1
                            && s[1] == 1
                            && s[2] == s[3]
                            && s[2] >= 4
                            && s[2] <= m.imageSize()
                            && Long.bitCount(s[2]) == 1;
            if (!ok) {
                throw new BundleException(
                        file
                                + ": '"
                                + path
                                + "["
                                + i
                                + "]' ("
                                + t.name()
                                + ") must be a noise input float32[?, 1, r, r] with r a power of"
                                + " two in [4, imageSize="
                                + m.imageSize()
                                + "], found "
                                + t.describe());
            }
            noise.put(t.name(), (int) s[2]);
        }
        TensorSpec scale = declared.get(declared.size() - 1);
        if (noise.isEmpty()
                || noise.size() != declared.size() - 2
                || scale.type() != ElementType.FLOAT
                || !java.util.Arrays.equals(scale.shape(), new long[] {1})) {
            throw new BundleException(
                    file
                            + ": '"
                            + path
                            + "' after 'ws' must list the noise inputs float32[?, 1, r, r] and"
                            + " then the constant-noise scale float32[1] (e.g. '"
                            + NOISE_CONST_SCALE
                            + "'), found "
                            + declared.subList(1, declared.size()).stream()
                                    .map(TensorSpec::describe)
                                    .toList());
        }
    }

    /**
     * A preview synthesis: ws {@code [?, k, D]} with 1 <= k <= numWs, the full synthesis's first
     * noise inputs (same names and shapes) then the scale, and an image {@code [?, 3, P, P]} with P
     * a power of two in [4, imageSize).
     */
    private static void checkPreview(BundleManifest m, Path file, StageSpec spec)
            throws BundleException {
        String path = "stages." + Stage.SYNTHESIS_PREVIEW.key();
        List<TensorSpec> in = spec.inputs();
        TensorSpec ws = in.get(0);
        long k = ws.rank() == 3 ? ws.dim(1) : 0;
        if (ws.type() != ElementType.FLOAT
                || ws.rank() != 3
                || ws.dim(0) != -1
                || k < 1
                || k > m.numWs()
                || ws.dim(2) != m.latentDim()) {
            throw new BundleException(
                    file
                            + ": '"
                            + path
                            + ".inputs[0]' ("
                            + ws.name()
                            + ") must be float32[?, k, "
                            + m.latentDim()
                            + "] with 1 <= k <= latent.numWs="
                            + m.numWs()
                            + ", found "
                            + ws.describe());
        }
        Map<String, Integer> full = declaredNoise(m.stage(Stage.SYNTHESIS));
        Map<String, Integer> prefix = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : full.entrySet()) {
            if (prefix.size() < in.size() - 2) {
                prefix.put(e.getKey(), e.getValue());
            }
        }
        List<TensorSpec> want = new ArrayList<>(List.of(ws));
        want.addAll(noiseInputs(in.size() > 1 ? prefix : Map.of()));
        if (!in.equals(want)) {
            throw new BundleException(
                    file
                            + ": '"
                            + path
                            + ".inputs' after 'ws' must be the first noise inputs of"
                            + " 'stages.synthesis.inputs' (same names and shapes) and then the"
                            + " constant-noise scale, expected "
                            + want.stream().map(t -> t.name() + " " + t.describe()).toList()
                            + ", found "
                            + in.stream().map(t -> t.name() + " " + t.describe()).toList());
        }
        List<TensorSpec> out = spec.outputs();
        TensorSpec img = out.get(0);
        long p = img.rank() == 4 ? img.dim(2) : 0;
        if (out.size() != 1
                || img.type() != ElementType.FLOAT
                || img.rank() != 4
                || img.dim(0) != -1
                || img.dim(1) != 3
                || img.dim(3) != p
                || p < 4
                || p >= m.imageSize()
                || Long.bitCount(p) != 1) {
            throw new BundleException(
                    file
                            + ": '"
                            + path
                            + ".outputs' must be one image float32[?, 3, P, P] with P a power of"
                            + " two in [4, imageSize="
                            + m.imageSize()
                            + "), found "
                            + out.stream().map(TensorSpec::describe).toList());
        }
    }

    private static void compare(
            Path file,
            String path,
            List<TensorSpec> declared,
            List<TensorSpec> expected,
            BundleManifest m)
            throws BundleException {
        if (declared.size() != expected.size()) {
            throw new BundleException(
                    file
                            + ": '"
                            + path
                            + "' must list "
                            + expected.size()
                            + " tensors "
                            + names(expected)
                            + ", found "
                            + declared.size()
                            + " "
                            + names(declared));
        }
        for (int i = 0; i < expected.size(); i++) {
            TensorSpec want = expected.get(i);
            TensorSpec got = declared.get(i);
            if (got.type() != want.type() || !java.util.Arrays.equals(got.shape(), want.shape())) {
                throw new BundleException(
                        file
                                + ": '"
                                + path
                                + "["
                                + i
                                + "]' ("
                                + want.name()
                                + ") must be "
                                + want.describe()
                                + " for latent.dim="
                                + m.latentDim()
                                + ", latent.numWs="
                                + m.numWs()
                                + ", latent.zDim="
                                + m.zDim()
                                + ", embeddingDim="
                                + m.embeddingDim()
                                + ", imageSize="
                                + m.imageSize()
                                + ", found "
                                + got.describe());
            }
        }
    }

    private static String names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).toList().toString();
    }
}
