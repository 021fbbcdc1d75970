package io.github.clip2latent.bundle;

import java.nio.file.Path;
import java.util.List;

/**
 * The inputs and outputs the library expects of each stage, by role and in order, derived from the
 * manifest's dimensions. Names are free (a bundle may use a real exported graph's names); element
 * types, ranks and dimensions are not. -1 is the dynamic batch dimension.
 */
public final class StageContract {

    private StageContract() {}

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
        };
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
            compare(
                    manifestFile,
                    "stages." + stage.key() + ".inputs",
                    spec.inputs(),
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
