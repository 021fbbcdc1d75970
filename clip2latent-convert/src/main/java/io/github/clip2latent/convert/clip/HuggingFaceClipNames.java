package io.github.clip2latent.convert.clip;

import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.read.ConversionException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps Hugging Face {@code transformers} {@code CLIPModel} parameter names (as in {@code
 * openai/clip-vit-base-patch32}'s {@code model.safetensors}) to OpenAI's {@code clip/model.py}
 * names, the inverse of transformers' {@code convert_clip_original_pytorch_to_hf.py}: the separate
 * q/k/v projections are concatenated (rows q, k, v) into the packed {@code in_proj_weight} / {@code
 * in_proj_bias}; {@code text_projection.weight} and {@code visual_projection.weight} ({@code
 * nn.Linear}, (embed, width)) are transposed to OpenAI's (width, embed) parameters; the {@code
 * position_ids} buffers some files carry are dropped.
 */
public final class HuggingFaceClipNames {

    private static final Pattern LAYER =
            Pattern.compile("(text_model|vision_model)\\.encoder\\.layers\\.(\\d+)\\.(.+)");

    private static final Map<String, String> FIXED =
            Map.ofEntries(
                    Map.entry(
                            "text_model.embeddings.token_embedding.weight",
                            "token_embedding.weight"),
                    Map.entry(
                            "text_model.embeddings.position_embedding.weight",
                            "positional_embedding"),
                    Map.entry("text_model.final_layer_norm.weight", "ln_final.weight"),
                    Map.entry("text_model.final_layer_norm.bias", "ln_final.bias"),
                    Map.entry("logit_scale", "logit_scale"),
                    Map.entry("vision_model.embeddings.class_embedding", "visual.class_embedding"),
                    Map.entry(
                            "vision_model.embeddings.patch_embedding.weight",
                            "visual.conv1.weight"),
                    Map.entry(
                            "vision_model.embeddings.position_embedding.weight",
                            "visual.positional_embedding"),
                    // "layrnorm" is transformers' own spelling of this parameter.
                    Map.entry("vision_model.pre_layrnorm.weight", "visual.ln_pre.weight"),
                    Map.entry("vision_model.pre_layrnorm.bias", "visual.ln_pre.bias"),
                    Map.entry("vision_model.post_layernorm.weight", "visual.ln_post.weight"),
                    Map.entry("vision_model.post_layernorm.bias", "visual.ln_post.bias"));

    private static final Map<String, String> TRANSPOSED =
            Map.of(
                    "text_projection.weight", "text_projection",
                    "visual_projection.weight", "visual.proj");

    private static final Map<String, String> LAYER_PARTS =
            Map.ofEntries(
                    Map.entry("self_attn.out_proj.weight", "attn.out_proj.weight"),
                    Map.entry("self_attn.out_proj.bias", "attn.out_proj.bias"),
                    Map.entry("layer_norm1.weight", "ln_1.weight"),
                    Map.entry("layer_norm1.bias", "ln_1.bias"),
                    Map.entry("layer_norm2.weight", "ln_2.weight"),
                    Map.entry("layer_norm2.bias", "ln_2.bias"),
                    Map.entry("mlp.fc1.weight", "mlp.c_fc.weight"),
                    Map.entry("mlp.fc1.bias", "mlp.c_fc.bias"),
                    Map.entry("mlp.fc2.weight", "mlp.c_proj.weight"),
                    Map.entry("mlp.fc2.bias", "mlp.c_proj.bias"));

    private static final List<String> QKV = List.of("q_proj", "k_proj", "v_proj");

    private HuggingFaceClipNames() {}

    /**
     * Whether the names look like a Hugging Face CLIPModel (rather than OpenAI's).
     *
     * @param names parameter names
     * @return true when a {@code text_model.} or {@code vision_model.} name is present
     */
    public static boolean looksLikeHuggingFace(Iterable<String> names) {
        for (String n : names) {
            if (n.startsWith("text_model.") || n.startsWith("vision_model.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Renames (and packs, and transposes) Hugging Face tensors into OpenAI's names.
     *
     * @param tensors Hugging Face name to tensor
     * @param source the file, for messages
     * @return OpenAI name to tensor, insertion-ordered
     * @throws ConversionException naming the source and the names that are not a CLIPModel's, or a
     *     block with a missing or misshapen q/k/v projection
     */
    public static Map<String, NamedTensor> toOpenAi(
            Map<String, NamedTensor> tensors, String source) {
        Objects.requireNonNull(tensors, "tensors");
        Map<String, NamedTensor> out = new LinkedHashMap<>();
        // Per block prefix (OpenAI naming) and kind ("weight"/"bias"): q, k, v in that order.
        Map<String, NamedTensor[]> packs = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, NamedTensor> e : tensors.entrySet()) {
            String name = e.getKey();
            NamedTensor t = e.getValue();
            if (name.endsWith("embeddings.position_ids")) {
                continue;
            }
            String fixed = FIXED.get(name);
            if (fixed != null) {
                out.put(fixed, rename(t, fixed));
                continue;
            }
            String transposed = TRANSPOSED.get(name);
            if (transposed != null) {
                out.put(transposed, transpose(t, transposed, source));
                continue;
            }
            Matcher m = LAYER.matcher(name);
            if (m.matches()) {
                String block =
                        (m.group(1).equals("text_model")
                                        ? ClipWeights.TEXT_BLOCKS
                                        : ClipWeights.VISION_BLOCKS)
                                + m.group(2)
                                + ".";
                String part = m.group(3);
                String mapped = LAYER_PARTS.get(part);
                if (mapped != null) {
                    out.put(block + mapped, rename(t, block + mapped));
                    continue;
                }
                String[] proj = part.split("\\.");
                if (proj.length == 3
                        && proj[0].equals("self_attn")
                        && QKV.contains(proj[1])
                        && (proj[2].equals("weight") || proj[2].equals("bias"))) {
                    String packed = block + "attn.in_proj_" + proj[2];
                    packs.computeIfAbsent(packed, k -> new NamedTensor[3])[QKV.indexOf(proj[1])] =
                            t;
                    continue;
                }
            }
            unknown.add(name);
        }
        if (!unknown.isEmpty()) {
            throw new ConversionException(
                    source
                            + ": "
                            + unknown.size()
                            + " tensor names are not those of a Hugging Face CLIPModel with a ViT"
                            + " image tower: "
                            + unknown.stream().limit(8).toList());
        }
        for (Map.Entry<String, NamedTensor[]> e : packs.entrySet()) {
            out.put(e.getKey(), pack(e.getKey(), e.getValue(), source));
        }
        return out;
    }

    /** {@code torch.cat([q, k, v], dim=0)}: the rows of q, then k, then v. */
    private static NamedTensor pack(String name, NamedTensor[] qkv, String source) {
        for (int i = 0; i < 3; i++) {
            if (qkv[i] == null) {
                throw new ConversionException(
                        source
                                + ": '"
                                + name
                                + "' needs q, k and v projections; "
                                + QKV.get(i)
                                + " is missing");
            }
            if (!Arrays.equals(qkv[i].shape(), qkv[0].shape())) {
                throw new ConversionException(
                        source
                                + ": the q/k/v projections for '"
                                + name
                                + "' differ in shape: "
                                + Arrays.toString(qkv[0].shape())
                                + " vs "
                                + Arrays.toString(qkv[i].shape()));
            }
        }
        long[] shape = qkv[0].shape();
        shape[0] *= 3;
        int n = qkv[0].size();
        float[] data = new float[3 * n];
        for (int i = 0; i < 3; i++) {
            qkv[i].buffer().get(data, i * n, n);
        }
        return new NamedTensor(name, shape, data);
    }

    private static NamedTensor rename(NamedTensor t, String name) {
        return t.name().equals(name) ? t : new NamedTensor(name, t.shape(), t.data());
    }

    /** An {@code nn.Linear} weight (out, in) as the (in, out) matrix OpenAI stores. */
    private static NamedTensor transpose(NamedTensor t, String name, String source) {
        long[] s = t.shape();
        if (s.length != 2) {
            throw new ConversionException(
                    source
                            + ": '"
                            + t.name()
                            + "' has shape "
                            + Arrays.toString(s)
                            + ", expected a 2-D (embed, width) projection");
        }
        int rows = (int) s[0];
        int cols = (int) s[1];
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = t.get(r * cols + c);
            }
        }
        return new NamedTensor(name, new long[] {cols, rows}, out);
    }
}
