package io.github.clip2latent.convert.clip;

import io.github.clip2latent.convert.graph.Dim;
import io.github.clip2latent.tensor.ElementType;
import io.github.clip2latent.convert.graph.GraphBuilder;
import io.github.clip2latent.convert.graph.GraphValue;
import io.github.clip2latent.convert.graph.OnnxModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes OpenAI CLIP's two encoders ({@code clip/model.py} as {@code clip.load(..., jit=False)}
 * builds them, float32) as ONNX graphs, with the weights as initializers under their OpenAI names.
 * Both output raw embeddings (not normalized), as the prior expects.
 *
 * <p>Graph contracts (the runtime's {@code StageContract}: names and types as its default names):
 *
 * <ul>
 *   <li>image encoder: input {@value #INPUT_PIXELS} float [batch, 3, R, R], already normalized;
 *       output {@value #OUTPUT_IMAGE} float [batch, embed];
 *   <li>text encoder: input {@value #INPUT_IDS} int64 [batch, context]; output {@value
 *       #OUTPUT_TEXT} float [batch, embed], the features at the arg-max token id (the end-of-text
 *       token).
 * </ul>
 *
 * {@code batch} is the symbolic dimension {@value #BATCH}. Metadata records the configuration (keys
 * {@code clip2latent.clip.*}), the graph kind and the caller's provenance string.
 */
public final class ClipGraphWriter {

    /** Name of the image encoder's input. */
    public static final String INPUT_PIXELS = "pixel_values";

    /** Name of the image encoder's output. */
    public static final String OUTPUT_IMAGE = "image_embeds";

    /** Name of the text encoder's input. */
    public static final String INPUT_IDS = "input_ids";

    /** Name of the text encoder's output. */
    public static final String OUTPUT_TEXT = "text_embeds";

    /** Symbolic batch dimension. */
    public static final String BATCH = "batch";

    /** Metadata key of the graph kind. */
    public static final String META_KIND = "clip2latent.graph";

    /** Graph kind of the image encoder. */
    public static final String KIND_IMAGE = "clip_image_encoder";

    /** Graph kind of the text encoder. */
    public static final String KIND_TEXT = "clip_text_encoder";

    /** Metadata key of the caller's provenance string. */
    public static final String META_PROVENANCE = "clip2latent.provenance";

    /** Prefix of the configuration metadata keys. */
    public static final String META_PREFIX = "clip2latent.clip.";

    /** {@code nn.LayerNorm}'s default epsilon, used by every CLIP LayerNorm. */
    static final float LN_EPS = 1e-5f;

    /** QuickGELU's sigmoid slope: {@code x * sigmoid(1.702 x)} (model.py {@code QuickGELU}). */
    static final float QUICK_GELU = 1.702f;

    private ClipGraphWriter() {}

    /**
     * Writes the image encoder atomically.
     *
     * @param weights the model's weights
     * @param provenance free text stored in the metadata
     * @param file the target file
     * @throws IOException when writing fails; no partial file is left under {@code file}
     */
    public static void writeImageEncoder(ClipWeights weights, String provenance, Path file)
            throws IOException {
        buildImageEncoder(weights, provenance).write(file);
    }

    /**
     * Writes the text encoder atomically.
     *
     * @param weights the model's weights
     * @param provenance free text stored in the metadata
     * @param file the target file
     * @throws IOException when writing fails; no partial file is left under {@code file}
     */
    public static void writeTextEncoder(ClipWeights weights, String provenance, Path file)
            throws IOException {
        buildTextEncoder(weights, provenance).write(file);
    }

    /**
     * Builds the image encoder: {@code VisionTransformer.forward} of model.py.
     *
     * @param weights the model's weights
     * @param provenance free text stored in the metadata
     * @return the model
     * @throws IllegalArgumentException for {@link ClipWeights#textTower text-tower} weights
     */
    // Scopes only name intermediate values; the handle is closed, never read.
    @SuppressWarnings("try")
    public static OnnxModel buildImageEncoder(ClipWeights weights, String provenance) {
        Objects.requireNonNull(weights, "weights");
        if (!weights.hasImageTower()) {
            throw new IllegalArgumentException(
                    "these CLIP weights hold the text tower alone; the ViT image encoder needs the"
                            + " '"
                            + ClipWeights.VISUAL_PREFIX
                            + "' parameters too");
        }
        ClipConfig c = weights.config();
        GraphBuilder g = start("clip_image_encoder", KIND_IMAGE, weights, provenance);
        g.docString(
                "OpenAI CLIP ViT image encoder (clip/model.py VisionTransformer), raw embeddings");
        int r = c.imageResolution();
        int width = c.visionWidth();
        Dim batch = Dim.symbolic(BATCH);
        GraphValue pixels =
                g.input(INPUT_PIXELS, ElementType.FLOAT, batch, Dim.of(3), Dim.of(r), Dim.of(r));

        GraphValue x;
        try (GraphBuilder.Scope s = g.scope("visual.embed")) {
            // conv1 (no bias), reshape to [B, width, grid^2], permute to [B, grid^2, width].
            x = g.conv(pixels, g.initializer(weights.get(ClipWeights.CONV1)), c.visionPatchSize());
            x = g.transpose(g.reshape(x, 0, width, -1), 0, 2, 1);
            // cat([class_embedding + zeros(B, 1, width), x], dim=1) + positional_embedding.
            GraphValue cls =
                    g.reshape(g.initializer(weights.get(ClipWeights.CLASS_EMBEDDING)), 1, 1, width);
            GraphValue clsShape =
                    g.concat(0, g.shape(pixels, 0, 1), g.int64Vector("dims", 1, width));
            x = g.concat(1, g.expand(cls, clsShape), x);
            x = g.add(x, g.initializer(weights.get(ClipWeights.VISION_POSITIONAL)));
            x = layerNorm(g, weights, "visual.ln_pre", x);
        }
        // Only the class token is read after the last block, so that block computes keys and values
        // for every token but the rest for the class token alone (same values, less work).
        Readout classToken =
                t ->
                        g.slice(
                                t,
                                g.int64Vector("zero", 0),
                                g.int64Vector("one", 1),
                                g.int64Vector("axis", 1));
        for (int i = 0; i < c.visionLayers(); i++) {
            boolean last = i == c.visionLayers() - 1;
            x =
                    block(
                            g,
                            weights,
                            ClipWeights.VISION_BLOCKS + i,
                            x,
                            width,
                            c.visionHeads(),
                            null,
                            last ? classToken : null,
                            null);
        }
        try (GraphBuilder.Scope s = g.scope("visual.head")) {
            // ln_post(x[:, 0, :]) @ proj.
            GraphValue y = layerNorm(g, weights, "visual.ln_post", g.reshape(x, -1, width));
            y = g.matMul(y, g.initializer(weights.get(ClipWeights.VISION_PROJECTION)));
            g.output(y, OUTPUT_IMAGE, ElementType.FLOAT, batch, Dim.of(c.embedDim()));
        }
        return g.build();
    }

    /**
     * Builds the text encoder: {@code CLIP.encode_text} of model.py.
     *
     * @param weights the model's weights
     * @param provenance free text stored in the metadata
     * @return the model
     */
    @SuppressWarnings("try")
    public static OnnxModel buildTextEncoder(ClipWeights weights, String provenance) {
        ClipConfig c = weights.config();
        GraphBuilder g = start("clip_text_encoder", KIND_TEXT, weights, provenance);
        g.docString("OpenAI CLIP text encoder (clip/model.py encode_text), raw embeddings");
        int ctx = c.contextLength();
        int width = c.textWidth();
        Dim batch = Dim.symbolic(BATCH);
        GraphValue ids = g.input(INPUT_IDS, ElementType.INT64, batch, Dim.of(ctx));

        GraphValue eot = g.argMax(ids, -1, false); // [B], the end-of-text positions
        GraphValue x;
        GraphValue mask;
        try (GraphBuilder.Scope s = g.scope("embed")) {
            // Only positions up to the batch's last end-of-text token are run: under the causal
            // mask no later position reaches the features read at the end-of-text token, so the
            // output equals the reference's, which runs all context positions.
            GraphValue used = g.add(g.reduceMax(eot, true, 0), g.int64Vector("one", 1));
            GraphValue zero = g.int64Vector("zero", 0);
            GraphValue kept = g.slice(ids, zero, used, g.int64Vector("axis", 1));
            // token_embedding(text) + positional_embedding.
            x = g.gather(g.initializer(weights.get(ClipWeights.TOKEN_EMBEDDING)), kept, 0);
            GraphValue pos = g.initializer(weights.get(ClipWeights.TEXT_POSITIONAL));
            x = g.add(x, g.slice(pos, zero, used, g.int64Vector("axis", 0)));
            mask = g.floatConstant("causal_mask", new long[] {ctx, ctx}, causalMask(ctx));
            mask =
                    g.slice(
                            mask,
                            g.int64Vector("zeros", 0, 0),
                            g.concat(0, used, used),
                            g.int64Vector("axes", 0, 1));
        }
        // x[arange(B), text.argmax(-1)]: only the end-of-text rows are read after the last block,
        // so that block computes keys and values for every position and the rest for those rows
        // alone; ln_final acts per token, so normalizing only them gives the same values.
        GraphValue index =
                g.expand(
                        g.unsqueeze(eot, 1, 2),
                        g.concat(0, g.shape(ids, 0, 1), g.int64Vector("dims", 1, width)));
        Readout endOfText = t -> g.gatherElements(t, index, 1); // [B, L, width] -> [B, 1, width]
        GraphValue maskRows = g.unsqueeze(g.gather(mask, eot, 0), 1, 2); // [B, 1, 1, L]
        for (int i = 0; i < c.textLayers(); i++) {
            boolean last = i == c.textLayers() - 1;
            x =
                    block(
                            g,
                            weights,
                            ClipWeights.TEXT_BLOCKS + i,
                            x,
                            width,
                            c.textHeads(),
                            mask,
                            last ? endOfText : null,
                            maskRows);
        }
        try (GraphBuilder.Scope s = g.scope("head")) {
            GraphValue y = g.reshape(x, -1, width);
            y = layerNorm(g, weights, "ln_final", y);
            y = g.matMul(y, g.initializer(weights.get(ClipWeights.TEXT_PROJECTION)));
            g.output(y, OUTPUT_TEXT, ElementType.FLOAT, batch, Dim.of(c.embedDim()));
        }
        return g.build();
    }

    private static GraphBuilder start(
            String name, String kind, ClipWeights weights, String provenance) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(provenance, "provenance");
        ClipConfig c = weights.config();
        GraphBuilder g = new GraphBuilder(name);
        g.metadata(META_KIND, kind)
                .metadata(META_PREFIX + "embed_dim", Integer.toString(c.embedDim()))
                .metadata(META_PREFIX + "image_resolution", Integer.toString(c.imageResolution()))
                .metadata(META_PREFIX + "vision_patch_size", Integer.toString(c.visionPatchSize()))
                .metadata(META_PREFIX + "vision_width", Integer.toString(c.visionWidth()))
                .metadata(META_PREFIX + "vision_layers", Integer.toString(c.visionLayers()))
                .metadata(META_PREFIX + "vision_heads", Integer.toString(c.visionHeads()))
                .metadata(META_PREFIX + "context_length", Integer.toString(c.contextLength()))
                .metadata(META_PREFIX + "vocab_size", Integer.toString(c.vocabSize()))
                .metadata(META_PREFIX + "transformer_width", Integer.toString(c.textWidth()))
                .metadata(META_PREFIX + "transformer_layers", Integer.toString(c.textLayers()))
                .metadata(META_PREFIX + "transformer_heads", Integer.toString(c.textHeads()))
                .metadata(
                        META_PREFIX + "logit_scale",
                        Float.toString(weights.get(ClipWeights.LOGIT_SCALE).get(0)))
                .metadata(META_PROVENANCE, provenance);
        return g;
    }

    /** Picks the rows read after the last block: [B, L, width] to [B, 1, width]. */
    @FunctionalInterface
    private interface Readout {
        GraphValue select(GraphValue tokens);
    }

    /**
     * {@code ResidualAttentionBlock.forward}: {@code x + attn(ln_1(x))}, then {@code x +
     * mlp(ln_2(x))}, batch-first (the reference permutes to sequence-first only for {@code
     * nn.MultiheadAttention}; the arithmetic is the same).
     *
     * @param x [B, L, width] tokens (L may vary at run time)
     * @param mask additive [L, L] mask or null
     * @param readout when not null, only these rows are computed past the key/value projection (the
     *     last block): the result is [B, 1, width]
     * @param maskRows with a readout and a mask: the mask rows of the read-out positions, [B, 1, 1,
     *     L]
     */
    @SuppressWarnings("try")
    private static GraphValue block(
            GraphBuilder g,
            ClipWeights w,
            String prefix,
            GraphValue x,
            int width,
            int heads,
            GraphValue mask,
            Readout readout,
            GraphValue maskRows) {
        int dh = width / heads;
        try (GraphBuilder.Scope s = g.scope(prefix + ".attn")) {
            // nn.MultiheadAttention: packed in-projection, q / sqrt(dh), softmax(q k^T + mask) v.
            GraphValue h = layerNorm(g, w, prefix + ".ln_1", x);
            GraphValue qkv =
                    linear(g, w, h, prefix + ".attn.in_proj_weight", prefix + ".attn.in_proj_bias");
            GraphValue[] parts = g.split(qkv, -1, width, width, width);
            GraphValue queries = parts[0];
            if (readout != null) {
                queries = readout.select(queries);
                x = readout.select(x);
                mask = maskRows;
            }
            GraphValue q = g.transpose(g.reshape(queries, 0, -1, heads, dh), 0, 2, 1, 3);
            GraphValue k = g.transpose(g.reshape(parts[1], 0, -1, heads, dh), 0, 2, 3, 1);
            GraphValue v = g.transpose(g.reshape(parts[2], 0, -1, heads, dh), 0, 2, 1, 3);
            q = g.div(q, g.scalar((float) Math.sqrt(dh)));
            GraphValue scores = g.matMul(q, k); // [B, H, L, L]
            if (mask != null) {
                scores = g.add(scores, mask);
            }
            GraphValue out = g.matMul(g.softmax(scores, -1), v); // [B, H, L, dh]
            out = g.reshape(g.transpose(out, 0, 2, 1, 3), 0, -1, width);
            out =
                    linear(
                            g,
                            w,
                            out,
                            prefix + ".attn.out_proj.weight",
                            prefix + ".attn.out_proj.bias");
            x = g.add(x, out);
        }
        try (GraphBuilder.Scope s = g.scope(prefix + ".mlp")) {
            // c_fc -> QuickGELU -> c_proj.
            GraphValue h = layerNorm(g, w, prefix + ".ln_2", x);
            h = linear(g, w, h, prefix + ".mlp.c_fc.weight", prefix + ".mlp.c_fc.bias");
            h = g.mul(h, g.sigmoid(g.mul(h, g.scalar(QUICK_GELU))));
            h = linear(g, w, h, prefix + ".mlp.c_proj.weight", prefix + ".mlp.c_proj.bias");
            x = g.add(x, h);
        }
        return x;
    }

    /**
     * {@code nn.Linear}: {@code x W^T + b}. The initializer keeps the OpenAI name and layout; ONNX
     * Runtime folds the Transpose once when it loads the session.
     */
    private static GraphValue linear(
            GraphBuilder g, ClipWeights w, GraphValue x, String weight, String bias) {
        GraphValue wt = g.transpose(g.initializer(w.get(weight)), 1, 0);
        return g.add(g.matMul(x, wt), g.initializer(w.get(bias)));
    }

    /** model.py {@code LayerNorm} (computed in float32) with {@code <prefix>.weight/.bias}. */
    private static GraphValue layerNorm(
            GraphBuilder g, ClipWeights w, String prefix, GraphValue x) {
        return g.layerNorm(
                x,
                g.initializer(w.get(prefix + ".weight")),
                g.initializer(w.get(prefix + ".bias")),
                LN_EPS);
    }

    /**
     * {@code CLIP.build_attention_mask}: -inf strictly above the diagonal, 0 elsewhere (a token
     * sees itself and the tokens before it).
     */
    static float[] causalMask(int length) {
        float[] m = new float[length * length];
        for (int i = 0; i < length; i++) {
            for (int j = i + 1; j < length; j++) {
                m[i * length + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return m;
    }
}
