package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.convert.graph.Attribute;
import io.github.clip2latent.convert.graph.Dim;
import io.github.clip2latent.tensor.ElementType;
import io.github.clip2latent.convert.graph.GraphBuilder;
import io.github.clip2latent.convert.graph.GraphValue;
import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.graph.OnnxModel;

import java.util.List;

/**
 * Writes a {@link ClipModel}'s two encoders as ONNX graphs (opset {@value GraphBuilder#OPSET}) from
 * its current weights, computing what the SameDiff graph computes, to float rounding:
 *
 * <ul>
 *   <li>text: the pooling weights come from the ids alone (first end token by {@code ArgMax} over
 *       {@code ids == eot}), the table rows by {@code Gather} (cheap for any vocabulary; training
 *       uses the equivalent one-hot product);
 *   <li>image: {@code Conv} (kernel 4, stride 2, pads 1) + {@code Relu} per layer, {@code Flatten},
 *       the MLP, and the L2 normalization inside the graph.
 * </ul>
 *
 * Parameter names are kept as initializer names. Stateless.
 */
public final class ClipOnnxExporter {

    private static final String BATCH = "batch";

    private ClipOnnxExporter() {}

    /**
     * Exports both encoders.
     *
     * @param model the trained model
     * @return the graphs and the image preprocessing to go with them
     */
    public static ClipOnnxModels export(ClipModel model) {
        checkNotNull(model, "model");
        return new ClipOnnxModels(
                textEncoder(model),
                imageEncoder(model),
                ImagePreprocessing.clip(model.config().imageSize()));
    }

    /**
     * The text encoder: {@code input_ids int64[batch, T] -> text_embeds float[batch, C]}.
     *
     * @param model the model
     * @return the graph
     */
    @SuppressWarnings("try") // scopes only name the nodes made inside them
    public static OnnxModel textEncoder(ClipModel model) {
        ClipConfig c = model.config();
        GraphBuilder g = new GraphBuilder("clip_text_encoder");
        describe(
                g,
                model,
                "Small CLIP text encoder: masked mean of token embeddings, MLP, L2 normalization.");
        GraphValue ids =
                g.input(
                        ClipModel.INPUT_IDS,
                        ElementType.INT64,
                        Dim.symbolic(BATCH),
                        Dim.of(c.contextLength()));
        GraphValue pooled;
        try (GraphBuilder.Scope s = g.scope("pool")) {
            GraphValue table = g.initializer(model.parameter("text.token_table"));
            GraphValue rows = g.gather(table, ids, 0);
            GraphValue isEot =
                    g.node1(
                            "Equal",
                            List.of(ids, g.int64Constant("eot_id", new long[0], c.endOfTextId())));
            // ArgMax returns the first maximum, so this is the first end token, as ClipModel uses.
            GraphValue eot =
                    g.node1(
                            "ArgMax",
                            List.of(cast(g, isEot, ElementType.FLOAT)),
                            Attribute.of("axis", 1L),
                            Attribute.of("keepdims", 1L));
            long[] positions = new long[c.contextLength()];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i;
            }
            GraphValue pos =
                    g.int64Constant("positions", new long[] {1, c.contextLength()}, positions);
            GraphValue mask = cast(g, g.node1("LessOrEqual", List.of(pos, eot)), ElementType.FLOAT);
            GraphValue count =
                    g.node1(
                            "ReduceSum",
                            List.of(mask, g.int64Vector("axes", 1)),
                            Attribute.of("keepdims", 1L));
            GraphValue weights = g.unsqueeze(g.div(mask, count), 1);
            pooled = g.reshape(g.matMul(weights, rows), -1, c.tokenDim());
        }
        GraphValue hidden = g.node1("Relu", List.of(dense(g, model, "text.fc1", pooled)));
        GraphValue embeds = l2Normalize(g, dense(g, model, "text.fc2", hidden));
        g.output(
                embeds,
                ClipModel.TEXT_EMBEDS,
                ElementType.FLOAT,
                Dim.symbolic(BATCH),
                Dim.of(c.embeddingDim()));
        return g.build();
    }

    /**
     * The image encoder: {@code pixel_values float[batch, 3, S, S] -> image_embeds float[batch,
     * C]}.
     *
     * @param model the model
     * @return the graph
     */
    @SuppressWarnings("try") // scopes only name the nodes made inside them
    public static OnnxModel imageEncoder(ClipModel model) {
        ClipConfig c = model.config();
        GraphBuilder g = new GraphBuilder("clip_image_encoder");
        describe(
                g,
                model,
                "Small CLIP image encoder: strided convolutions, MLP, L2 normalization; input"
                        + " preprocessed with CLIP mean/std at "
                        + c.imageSize()
                        + " x "
                        + c.imageSize()
                        + ".");
        GraphValue x =
                g.input(
                        ClipModel.PIXEL_VALUES,
                        ElementType.FLOAT,
                        Dim.symbolic(BATCH),
                        Dim.of(3),
                        Dim.of(c.imageSize()),
                        Dim.of(c.imageSize()));
        for (int i = 0; i < c.convChannels().size(); i++) {
            String name = "image.conv" + i;
            try (GraphBuilder.Scope s = g.scope(name)) {
                GraphValue w = g.initializer(toOiyx(model.parameter(name + ".w")));
                GraphValue b = g.initializer(model.parameter(name + ".b"));
                GraphValue conv =
                        g.node1(
                                "Conv",
                                List.of(x, w, b),
                                Attribute.ints("kernel_shape", ClipModel.KERNEL, ClipModel.KERNEL),
                                Attribute.ints("strides", ClipModel.STRIDE, ClipModel.STRIDE),
                                Attribute.ints(
                                        "pads",
                                        ClipModel.PADDING,
                                        ClipModel.PADDING,
                                        ClipModel.PADDING,
                                        ClipModel.PADDING));
                x = g.node1("Relu", List.of(conv));
            }
        }
        GraphValue flat = g.flatten(x, 1);
        GraphValue hidden = g.node1("Relu", List.of(dense(g, model, "image.fc1", flat)));
        GraphValue embeds = l2Normalize(g, dense(g, model, "image.fc2", hidden));
        g.output(
                embeds,
                ClipModel.IMAGE_EMBEDS,
                ElementType.FLOAT,
                Dim.symbolic(BATCH),
                Dim.of(c.embeddingDim()));
        return g.build();
    }

    private static void describe(GraphBuilder g, ClipModel model, String doc) {
        ClipConfig c = model.config();
        g.docString(doc);
        g.metadata("clip2latent.clip.embeddingDim", Integer.toString(c.embeddingDim()));
        g.metadata("clip2latent.clip.config", c.toString());
        g.metadata("clip2latent.clip.logitScale", Double.toString(model.logitScale()));
    }

    @SuppressWarnings("try") // scopes only name the nodes made inside them
    private static GraphValue dense(GraphBuilder g, ClipModel model, String name, GraphValue x) {
        try (GraphBuilder.Scope s = g.scope(name)) {
            GraphValue w = g.initializer(model.parameter(name + ".w"));
            GraphValue b = g.initializer(model.parameter(name + ".b"));
            return g.add(g.matMul(x, w), b);
        }
    }

    /** {@code x / sqrt(sum(x^2) + eps)}, the same formula as ClipModel. */
    @SuppressWarnings("try") // scopes only name the nodes made inside them
    private static GraphValue l2Normalize(GraphBuilder g, GraphValue x) {
        try (GraphBuilder.Scope s = g.scope("l2_normalize")) {
            GraphValue squares =
                    g.node1(
                            "ReduceSum",
                            List.of(g.mul(x, x), g.int64Vector("axes", 1)),
                            Attribute.of("keepdims", 1L));
            return g.div(x, g.sqrt(g.add(squares, g.scalar(ClipModel.NORM_EPSILON))));
        }
    }

    private static GraphValue cast(GraphBuilder g, GraphValue x, ElementType to) {
        return g.node1("Cast", List.of(x), Attribute.of("to", (long) to.onnxDataType()));
    }

    /** SameDiff's {@code [kH, kW, in, out]} kernel as ONNX Conv's {@code [out, in, kH, kW]}. */
    static NamedTensor toOiyx(NamedTensor yxio) {
        long[] s = yxio.shape();
        int kh = (int) s[0];
        int kw = (int) s[1];
        int in = (int) s[2];
        int out = (int) s[3];
        float[] src = yxio.data();
        float[] dst = new float[src.length];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        dst[((o * in + i) * kh + y) * kw + x] =
                                src[((y * kw + x) * in + i) * out + o];
                    }
                }
            }
        }
        return new NamedTensor(yxio.name(), new long[] {out, in, kh, kw}, dst);
    }
}
