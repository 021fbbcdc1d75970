package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.convert.clip.ClipGraphWriter;
import io.github.clip2latent.convert.graph.Dim;
import io.github.clip2latent.convert.graph.GraphBuilder;
import io.github.clip2latent.convert.graph.GraphValue;
import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.graph.OnnxModel;
import io.github.clip2latent.tensor.ElementType;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link ConvImageTower} as an image-encoder graph with the same input, output and
 * metadata kind as {@link ClipGraphWriter#buildImageEncoder} ({@code pixel_values float[batch, 3,
 * S, S] -> image_embeds float[batch, E]}, raw embeddings), so the runtime reads either alike.
 */
public final class ConvImageEncoderWriter {

    private ConvImageEncoderWriter() {}

    /**
     * Builds the graph: {@code Conv + Relu} per layer, {@code Flatten}, {@code fc1} ({@code MatMul}
     * with the transposed weight, {@code Add}, {@code Relu}), {@code fc2}.
     *
     * @param tower the architecture
     * @param weights every parameter of {@link ConvImageTower#parameterShapes} under its name
     * @param provenance free text stored in the metadata
     * @return the model
     * @throws IllegalArgumentException when a parameter is missing or misshapen
     */
    public static OnnxModel build(
            ConvImageTower tower, Map<String, NamedTensor> weights, String provenance) {
        checkNotNull(tower, "tower");
        checkNotNull(weights, "weights");
        checkNotNull(provenance, "provenance");
        for (Map.Entry<String, long[]> e : tower.parameterShapes().entrySet()) {
            NamedTensor t = weights.get(e.getKey());
            checkArgument(
                    t != null && Arrays.equals(t.shape(), e.getValue()),
                    "conv image tower parameter '%s': expected shape %s, found %s",
                    e.getKey(),
                    Arrays.toString(e.getValue()),
                    t == null ? "nothing" : Arrays.toString(t.shape()));
        }
        GraphBuilder g = new GraphBuilder("clip_image_encoder");
        g.metadata(ClipGraphWriter.META_KIND, ClipGraphWriter.KIND_IMAGE)
                .metadata(ClipGraphWriter.META_PREFIX + "embed_dim", Integer.toString(tower.embedDim()))
                .metadata(
                        ClipGraphWriter.META_PREFIX + "image_resolution",
                        Integer.toString(tower.imageSize()))
                .metadata(ClipGraphWriter.META_PREFIX + "image_tower", "conv " + tower.channels())
                .metadata(ClipGraphWriter.META_PROVENANCE, provenance);
        g.docString(
                "Shapes-world CLIP image encoder: strided convolutions, flatten, two dense layers;"
                        + " raw embeddings");
        int s = tower.imageSize();
        Dim batch = Dim.symbolic(ClipGraphWriter.BATCH);
        GraphValue x =
                g.input(
                        ClipGraphWriter.INPUT_PIXELS,
                        ElementType.FLOAT,
                        batch,
                        Dim.of(3),
                        Dim.of(s),
                        Dim.of(s));
        long p = ConvImageTower.PADDING;
        for (int i = 0; i < tower.channels().size(); i++) {
            x =
                    g.conv(
                            x,
                            g.initializer(weights.get(ConvImageTower.convWeight(i))),
                            g.initializer(weights.get(ConvImageTower.convBias(i))),
                            ConvImageTower.STRIDE,
                            new long[] {p, p, p, p},
                            1);
            x = g.node1("Relu", List.of(x));
        }
        x = g.flatten(x, 1);
        x = g.node1("Relu", List.of(dense(g, weights, x, ConvImageTower.FC1_WEIGHT, ConvImageTower.FC1_BIAS)));
        x = dense(g, weights, x, ConvImageTower.FC2_WEIGHT, ConvImageTower.FC2_BIAS);
        g.output(x, ClipGraphWriter.OUTPUT_IMAGE, ElementType.FLOAT, batch, Dim.of(tower.embedDim()));
        return g.build();
    }

    /**
     * {@code nn.Linear}: {@code x W^T + b}, W stored {@code (out, in)}; transposed in the graph, as
     * {@code ClipGraphWriter} does for CLIP's linear layers.
     */
    private static GraphValue dense(
            GraphBuilder g, Map<String, NamedTensor> weights, GraphValue x, String w, String b) {
        GraphValue transposed = g.transpose(g.initializer(weights.get(w)), 1, 0);
        return g.add(g.matMul(x, transposed), g.initializer(weights.get(b)));
    }
}
