package io.github.clip2latent.convert.clip;

import io.github.clip2latent.convert.read.StateDict;
import io.github.clip2latent.convert.read.Tensor;
import io.github.clip2latent.convert.read.TorchScriptReader;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Files the tests derive from the CLIP fixture (written under a temporary folder, never committed).
 */
final class ClipFiles {

    private ClipFiles() {}

    /**
     * A copy of a torch zip with every occurrence of {@code from} in its {@code data.pkl} replaced
     * by {@code to} (same length, so the pickle's string lengths stay valid): renames modules or
     * attributes without touching any tensor.
     */
    static Path renameInPickle(Path zip, Path out, String from, String to) throws IOException {
        if (from.length() != to.length()) {
            throw new IllegalArgumentException("names must have the same length");
        }
        byte[] f = from.getBytes(StandardCharsets.US_ASCII);
        byte[] t = to.getBytes(StandardCharsets.US_ASCII);
        int replaced = 0;
        try (ZipFile in = new ZipFile(zip.toFile());
                ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e : Collections.list(in.entries())) {
                byte[] data = in.getInputStream(e).readAllBytes();
                if (e.getName().endsWith("/data.pkl")) {
                    for (int i = 0; i + f.length <= data.length; i++) {
                        boolean match = true;
                        for (int j = 0; j < f.length && match; j++) {
                            match = data[i + j] == f[j];
                        }
                        if (match) {
                            System.arraycopy(t, 0, data, i, t.length);
                            replaced++;
                        }
                    }
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(data.length);
                copy.setCompressedSize(data.length);
                CRC32 crc = new CRC32();
                crc.update(data);
                copy.setCrc(crc.getValue());
                zos.putNextEntry(copy);
                zos.write(data);
                zos.closeEntry();
            }
        }
        if (replaced == 0) {
            throw new IllegalStateException("'" + from + "' not found in " + zip);
        }
        return out;
    }

    /**
     * The archive's weights under Hugging Face {@code CLIPModel} names, written as a safetensors
     * file (float32, as in {@code openai/clip-vit-base-patch32}): the in-projections split into
     * q/k/v, the two projections transposed to {@code nn.Linear} layout, {@code position_ids}
     * buffers added, the three archive integers dropped. This is the layout transformers' {@code
     * convert_clip_original_pytorch_to_hf.py} produces, derived here from the fixture because the
     * real file (605 MB) cannot be committed.
     */
    static Path huggingFaceCopy(Path archive, Path out) throws IOException {
        Map<String, float[]> data = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (StateDict sd = TorchScriptReader.readStateDict(archive)) {
            for (Map.Entry<String, Tensor> e : sd.asMap().entrySet()) {
                Tensor t = e.getValue();
                if (!t.dtype().isFloatingPoint()) {
                    continue;
                }
                toHuggingFace(e.getKey(), t.shape(), t.toFloatArray(), data, shapes);
            }
            long ctx = sd.get("positional_embedding").shape()[0];
            long vis = sd.get("visual.positional_embedding").shape()[0];
            return writeSafetensors(
                    out,
                    data,
                    shapes,
                    Map.of(
                            "text_model.embeddings.position_ids", new long[] {1, ctx},
                            "vision_model.embeddings.position_ids", new long[] {1, vis}));
        }
    }

    private static void toHuggingFace(
            String name,
            long[] shape,
            float[] values,
            Map<String, float[]> data,
            Map<String, long[]> shapes) {
        String hf;
        if (name.startsWith("visual.transformer.resblocks.")
                || name.startsWith("transformer.resblocks.")) {
            boolean vision = name.startsWith("visual.");
            String rest =
                    name.substring(
                            (vision ? "visual." : "").length() + "transformer.resblocks.".length());
            int dot = rest.indexOf('.');
            String block =
                    (vision ? "vision_model" : "text_model")
                            + ".encoder.layers."
                            + rest.substring(0, dot)
                            + ".";
            String part = rest.substring(dot + 1);
            if (part.startsWith("attn.in_proj_")) {
                String kind = part.endsWith("weight") ? "weight" : "bias";
                int n = values.length / 3;
                long[] s = shape.clone();
                s[0] /= 3;
                String[] qkv = {"q_proj", "k_proj", "v_proj"};
                for (int i = 0; i < 3; i++) {
                    float[] piece = new float[n];
                    System.arraycopy(values, i * n, piece, 0, n);
                    data.put(block + "self_attn." + qkv[i] + "." + kind, piece);
                    shapes.put(block + "self_attn." + qkv[i] + "." + kind, s);
                }
                return;
            }
            hf =
                    block
                            + part.replace("attn.out_proj", "self_attn.out_proj")
                                    .replace("ln_1", "layer_norm1")
                                    .replace("ln_2", "layer_norm2")
                                    .replace("mlp.c_fc", "mlp.fc1")
                                    .replace("mlp.c_proj", "mlp.fc2");
        } else if (name.equals("text_projection") || name.equals("visual.proj")) {
            int rows = (int) shape[0];
            int cols = (int) shape[1];
            float[] tr = new float[values.length];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    tr[c * rows + r] = values[r * cols + c];
                }
            }
            String key =
                    name.equals("visual.proj")
                            ? "visual_projection.weight"
                            : "text_projection.weight";
            data.put(key, tr);
            shapes.put(key, new long[] {cols, rows});
            return;
        } else {
            hf =
                    switch (name) {
                        case "token_embedding.weight" ->
                                "text_model.embeddings.token_embedding.weight";
                        case "positional_embedding" ->
                                "text_model.embeddings.position_embedding.weight";
                        case "ln_final.weight" -> "text_model.final_layer_norm.weight";
                        case "ln_final.bias" -> "text_model.final_layer_norm.bias";
                        case "logit_scale" -> "logit_scale";
                        case "visual.class_embedding" -> "vision_model.embeddings.class_embedding";
                        case "visual.conv1.weight" ->
                                "vision_model.embeddings.patch_embedding.weight";
                        case "visual.positional_embedding" ->
                                "vision_model.embeddings.position_embedding.weight";
                        case "visual.ln_pre.weight" -> "vision_model.pre_layrnorm.weight";
                        case "visual.ln_pre.bias" -> "vision_model.pre_layrnorm.bias";
                        case "visual.ln_post.weight" -> "vision_model.post_layernorm.weight";
                        case "visual.ln_post.bias" -> "vision_model.post_layernorm.bias";
                        default -> throw new IllegalArgumentException("unmapped " + name);
                    };
        }
        data.put(hf, values);
        shapes.put(hf, shape);
    }

    /**
     * safetensors: u64 little-endian header length, JSON header, then the raw little-endian data.
     */
    static Path writeSafetensors(
            Path out,
            Map<String, float[]> data,
            Map<String, long[]> shapes,
            Map<String, long[]> int64Ranges)
            throws IOException {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        List<byte[]> blobs = new ArrayList<>();
        for (Map.Entry<String, float[]> e : data.entrySet()) {
            ByteBuffer b =
                    ByteBuffer.allocate(e.getValue().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(e.getValue());
            offset =
                    entry(
                            json,
                            e.getKey(),
                            "F32",
                            shapes.get(e.getKey()),
                            offset,
                            b.array(),
                            blobs);
        }
        for (Map.Entry<String, long[]> e : int64Ranges.entrySet()) {
            int n = (int) e.getValue()[1];
            ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                b.putLong(i);
            }
            offset = entry(json, e.getKey(), "I64", e.getValue(), offset, b.array(), blobs);
        }
        json.append('}');
        while ((json.length() + 8) % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream os = Files.newOutputStream(out)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            len.putLong(header.length);
            os.write(len.array());
            os.write(header);
            for (byte[] blob : blobs) {
                os.write(blob);
            }
        }
        return out;
    }

    private static long entry(
            StringBuilder json,
            String name,
            String dtype,
            long[] shape,
            long offset,
            byte[] bytes,
            List<byte[]> blobs) {
        json.append(",\"")
                .append(name)
                .append("\":{\"dtype\":\"")
                .append(dtype)
                .append("\",\"shape\":[");
        for (int i = 0; i < shape.length; i++) {
            json.append(i == 0 ? "" : ",").append(shape[i]);
        }
        json.append("],\"data_offsets\":[")
                .append(offset)
                .append(',')
                .append(offset + bytes.length)
                .append("]}");
        blobs.add(bytes);
        return offset + bytes.length;
    }
}
