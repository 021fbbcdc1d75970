package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.graph.Dim;
import io.github.clip2latent.tensor.ElementType;
import io.github.clip2latent.convert.graph.GraphBuilder;
import io.github.clip2latent.convert.graph.GraphValue;
import io.github.clip2latent.convert.graph.OnnxModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a StyleGAN {@code MappingNetwork} ({@code z -> w}) as an ONNX graph, without truncation
 * (the core truncates; {@link StyleGanMapping#wAvg()} goes into the bundle for StyleGAN's own
 * truncation center).
 *
 * <p>Graph contract: input {@value #INPUT_Z} float {@code [batch, z_dim]}, output {@value
 * #OUTPUT_W} float {@code [batch, w_dim]}; one w per sample (the reference broadcasts it to the
 * {@code num_ws} rows, the runtime does the same).
 */
public final class MappingGraphWriter {

    /** Name of the latent input. */
    public static final String INPUT_Z = "z";

    /** Name of the w output. */
    public static final String OUTPUT_W = "w";

    /** Metadata key of the graph kind. */
    public static final String META_KIND = "clip2latent.graph";

    /** The graph kind stored under {@link #META_KIND}. */
    public static final String GRAPH_KIND = "stylegan_mapping";

    /** Metadata key of the caller's provenance string. */
    public static final String META_PROVENANCE = "clip2latent.provenance";

    /** Prefix of the configuration metadata keys. */
    public static final String META_PREFIX = "clip2latent.stylegan.";

    /** {@code normalize_2nd_moment}'s epsilon. */
    static final float NORMALIZE_EPS = 1e-8f;

    private MappingGraphWriter() {}

    /**
     * Writes the model file atomically.
     *
     * @param mapping the mapping network
     * @param provenance free text stored in the metadata
     * @param file target file
     * @throws IOException when writing fails; no partial file is left under {@code file}
     */
    public static void write(StyleGanMapping mapping, String provenance, Path file)
            throws IOException {
        build(mapping, provenance).write(file);
    }

    /**
     * Builds the model in memory.
     *
     * @param mapping the mapping network
     * @param provenance free text stored in the metadata
     * @return the model
     */
    // Scopes only name intermediate values; the handle is closed, never read.
    @SuppressWarnings("try")
    public static OnnxModel build(StyleGanMapping mapping, String provenance) {
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(provenance, "provenance");
        GraphBuilder g = new GraphBuilder("stylegan_mapping");
        g.docString("StyleGAN mapping network z -> w (NVIDIA MappingNetwork, no truncation)");
        g.metadata(META_KIND, GRAPH_KIND)
                .metadata(META_PREFIX + "z_dim", Integer.toString(mapping.zDim()))
                .metadata(META_PREFIX + "w_dim", Integer.toString(mapping.wDim()))
                .metadata(META_PREFIX + "num_ws", Integer.toString(mapping.numWs()))
                .metadata(META_PREFIX + "mapping_layers", Integer.toString(mapping.layers().size()))
                .metadata(META_PROVENANCE, provenance);
        Dim batch = Dim.symbolic("batch");
        GraphValue z = g.input(INPUT_Z, ElementType.FLOAT, batch, Dim.of(mapping.zDim()));
        GraphValue x;
        try (GraphBuilder.Scope s = g.scope("normalize_2nd_moment")) {
            // x * rsqrt(mean(x^2, dim=1) + 1e-8) (networks_stylegan2.py normalize_2nd_moment).
            GraphValue ms = g.reduceMean(g.mul(z, z), true, 1);
            x = g.mul(z, g.reciprocal(g.sqrt(g.add(ms, g.scalar(NORMALIZE_EPS)))));
        }
        for (FullyConnected fc : mapping.layers()) {
            try (GraphBuilder.Scope s = g.scope(fc.path())) {
                x = StyleGanOps.fullyConnected(g, x, fc, 1);
            }
        }
        g.output(x, OUTPUT_W, ElementType.FLOAT, batch, Dim.of(mapping.wDim()));
        return g.build();
    }
}
