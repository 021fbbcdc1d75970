package io.github.clip2latent.train.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.clip2latent.bundle.BundleManifest;
import io.github.clip2latent.bundle.BundleWriter;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.graph.OnnxModel;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.convert.prior.PriorGraphWriter;
import io.github.clip2latent.convert.prior.PriorWeights;
import io.github.clip2latent.train.loop.TrainerState;
import io.github.clip2latent.train.model.TrainablePrior;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a training state into a bundle: the EMA weights become {@link PriorWeights}, the ONNX prior
 * graph is written by {@link PriorGraphWriter}, and {@link BundleWriter#basedOn} copies every other
 * stage of the source bundle (the one whose generator and image encoder made the dataset),
 * replacing the prior graph, the latent stats (the run's, i.e. the dataset's) and the id, and
 * adding provenance. The bundle is published atomically by {@code BundleWriter}.
 */
public final class PriorExporter {

    /** Provenance key: optimizer steps of the exported weights. */
    public static final String STEPS = "prior.train.steps";

    /** Provenance key: the run seed. */
    public static final String SEED = "prior.train.seed";

    /** Provenance key: the run configuration as JSON. */
    public static final String CONFIG = "prior.train.config";

    /** Provenance key: which dataset the run read. */
    public static final String DATASET = "prior.train.dataset";

    /** Provenance key: the id of the bundle the other stages come from. */
    public static final String BASE_BUNDLE = "prior.train.baseBundle";

    /** Provenance key: which weights were exported. */
    public static final String WEIGHTS = "prior.train.weights";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PriorExporter() {}

    /**
     * The EMA weights of a state as checked prior weights.
     *
     * @param state a training state
     * @return the weights, named as the reference checkpoint keys
     * @throws IllegalArgumentException if a tensor does not fit the state's model
     */
    public static PriorWeights emaWeights(TrainerState state) {
        return toPriorWeights(state.config().model(), state.ema());
    }

    /**
     * Wraps row-major weights (as {@link TrainablePrior#weights()}) as {@link PriorWeights}; both
     * use the PyTorch layout, so no transposition is needed.
     *
     * @param config the network shape
     * @param weights name to row-major data
     * @return the checked weights
     */
    public static PriorWeights toPriorWeights(PriorConfig config, Map<String, float[]> weights) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(weights, "weights");
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : TrainablePrior.parameterShapes(config).entrySet()) {
            float[] data = weights.get(e.getKey());
            if (data == null) {
                throw new IllegalArgumentException("missing parameter: " + e.getKey());
            }
            tensors.put(e.getKey(), new NamedTensor(e.getKey(), e.getValue(), data));
        }
        return PriorWeights.of(config, tensors);
    }

    /**
     * The ONNX prior graph of a state's EMA weights.
     *
     * @param state a training state
     * @param dataset a description of the dataset the run read
     * @return the graph, with the provenance string in its metadata
     */
    public static OnnxModel priorGraph(TrainerState state, String dataset) {
        return PriorGraphWriter.build(emaWeights(state), provenanceLine(state, dataset));
    }

    /**
     * Writes a bundle at {@code target} that is {@code source} with the state's prior.
     *
     * @param state the training state (EMA weights and latent stats are exported)
     * @param source the bundle the dataset was generated from
     * @param target the new bundle folder; must not exist or be empty
     * @param id the new bundle's id
     * @param dataset a description of the dataset (e.g. its folder and manifest facts)
     * @return the written, validated bundle
     * @throws IOException if the source does not fit the model or writing fails (nothing is left at
     *     target)
     */
    public static ModelBundle export(
            TrainerState state, ModelBundle source, Path target, String id, String dataset)
            throws IOException {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(dataset, "dataset");
        PriorConfig model = state.config().model();
        BundleManifest m = source.manifest();
        if (m.latentDim() != model.dim() || m.embeddingDim() != model.dim()) {
            throw new IOException(
                    "bundle "
                            + source.directory()
                            + " has latentDim "
                            + m.latentDim()
                            + " and embeddingDim "
                            + m.embeddingDim()
                            + ", the trained prior has dim "
                            + model.dim());
        }
        if (m.timesteps() != model.timesteps()) {
            throw new IOException(
                    "bundle "
                            + source.directory()
                            + " has "
                            + m.timesteps()
                            + " timesteps, the trained prior has "
                            + model.timesteps());
        }
        if (m.betaSchedule() != state.config().betaSchedule()) {
            throw new IOException(
                    "bundle "
                            + source.directory()
                            + " declares the "
                            + m.betaSchedule().manifestName()
                            + " noise schedule, the prior was trained on "
                            + state.config().betaSchedule().manifestName()
                            + "; export it with a bundle of the training schedule");
        }
        byte[] graph = priorGraph(state, dataset).toByteArray();
        return BundleWriter.basedOn(source, target)
                .id(id)
                .description(
                        "clip2latent prior trained for "
                                + state.step()
                                + " steps on "
                                + dataset
                                + "; other stages from "
                                + m.id())
                .graph(Stage.PRIOR, graph)
                .latentStats(state.latentStats())
                .provenance(STEPS, Long.toString(state.step()))
                .provenance(SEED, Long.toString(state.config().seed()))
                .provenance(CONFIG, configJson(state))
                .provenance(DATASET, dataset)
                .provenance(BASE_BUNDLE, m.id())
                .provenance(WEIGHTS, "ema")
                .write();
    }

    private static String provenanceLine(TrainerState state, String dataset) {
        return "clip2latent-train EMA weights after "
                + state.step()
                + " steps, seed "
                + state.config().seed()
                + ", dataset "
                + dataset
                + ", config "
                + configJson(state);
    }

    private static String configJson(TrainerState state) {
        try {
            return JSON.writeValueAsString(state.config());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot serialize the training configuration", e);
        }
    }
}
