package io.github.clip2latent.convert.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import io.github.clip2latent.convert.OrtTestSupport;
import io.github.clip2latent.convert.OrtTestSupport.Input;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The graphs' contract with the runtime (StageContract's names and types), metadata, determinism.
 */
class ClipGraphWriterTest {

    @TempDir Path dir;

    /** A small CLIP as the embedded world's might be: heads not tied to width / 64. */
    private static final ClipConfig SMALL = new ClipConfig(16, 32, 8, 32, 2, 4, 12, 50, 24, 2, 3);

    @Test
    void contractNamesTypesAndMetadata() throws Exception {
        ClipWeights w = ClipWeights.random(SMALL, 7);
        Path image = dir.resolve("image.onnx");
        Path text = dir.resolve("text.onnx");
        ClipGraphWriter.writeImageEncoder(w, "unit test", image);
        ClipGraphWriter.writeTextEncoder(w, "unit test", text);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(image.toString(), opts)) {
            Map<String, NodeInfo> in = s.getInputInfo();
            assertEquals(Set.of("pixel_values"), in.keySet());
            assertTensor(in.get("pixel_values"), OnnxJavaType.FLOAT, -1, 3, 32, 32);
            assertEquals(
                    "batch",
                    ((TensorInfo) in.get("pixel_values").getInfo()).getDimensionNames()[0]);
            assertTensor(s.getOutputInfo().get("image_embeds"), OnnxJavaType.FLOAT, -1, 16);
            Map<String, String> meta = s.getMetadata().getCustomMetadata();
            assertEquals("clip_image_encoder", meta.get("clip2latent.graph"));
            assertEquals("unit test", meta.get("clip2latent.provenance"));
            assertEquals("4", meta.get("clip2latent.clip.vision_heads"));
            assertEquals("3", meta.get("clip2latent.clip.transformer_heads"));
        }
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(text.toString(), opts)) {
            assertTensor(s.getInputInfo().get("input_ids"), OnnxJavaType.INT64, -1, 12);
            assertTensor(s.getOutputInfo().get("text_embeds"), OnnxJavaType.FLOAT, -1, 16);
            assertEquals(
                    "clip_text_encoder",
                    s.getMetadata().getCustomMetadata().get("clip2latent.graph"));
        }
    }

    @Test
    void weightsAreInitializersUnderOpenAiNames() {
        ClipWeights w = ClipWeights.random(SMALL, 1);
        Set<String> names =
                ClipGraphWriter.buildImageEncoder(w, "x")
                        .proto()
                        .getGraph()
                        .getInitializerList()
                        .stream()
                        .map(OnnxMl.TensorProto::getName)
                        .collect(Collectors.toSet());
        assertTrue(names.contains("visual.conv1.weight"), names.toString());
        assertTrue(names.contains("visual.transformer.resblocks.1.attn.in_proj_weight"));
        names =
                ClipGraphWriter.buildTextEncoder(w, "x")
                        .proto()
                        .getGraph()
                        .getInitializerList()
                        .stream()
                        .map(OnnxMl.TensorProto::getName)
                        .collect(Collectors.toSet());
        assertTrue(names.contains("token_embedding.weight"), names.toString());
        assertTrue(names.contains("transformer.resblocks.1.mlp.c_proj.bias"));
    }

    @Test
    void sameWeightsGiveIdenticalBytes() {
        assertArrayEquals(
                ClipGraphWriter.buildTextEncoder(ClipWeights.random(SMALL, 3), "p").toByteArray(),
                ClipGraphWriter.buildTextEncoder(ClipWeights.random(SMALL, 3), "p").toByteArray());
    }

    @Test
    void textFeaturesComeFromTheArgMaxToken() throws Exception {
        // Tokens after the end-of-text id (the largest) must not change the output, and the
        // output must change when the end-of-text position moves.
        ClipWeights w = ClipWeights.random(SMALL, 5);
        Path text = dir.resolve("text.onnx");
        ClipGraphWriter.writeTextEncoder(w, "t", text);
        long[] a = new long[12];
        long[] b = new long[12];
        long[] c = new long[12];
        long[] prefix = {48, 3, 7, 49};
        System.arraycopy(prefix, 0, a, 0, 4);
        System.arraycopy(prefix, 0, b, 0, 4);
        b[6] = 5; // after the end-of-text token
        System.arraycopy(prefix, 0, c, 0, 3);
        c[3] = 2;
        c[4] = 49;
        float[] ya = run(text, a);
        float[] yb = run(text, b);
        float[] yc = run(text, c);
        assertArrayEquals(ya, yb, 1e-6f);
        assertTrue(ClipReference.maxRelativeError(yc, ya, 16) > 1e-3);
    }

    @Test
    void causalMaskIsMinusInfinityAboveTheDiagonal() {
        float[] m = ClipGraphWriter.causalMask(3);
        assertArrayEquals(
                new float[] {
                    0, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY,
                    0, 0, Float.NEGATIVE_INFINITY,
                    0, 0, 0
                },
                m);
    }

    private static float[] run(Path text, long[] ids) throws Exception {
        return OrtTestSupport.run(text, "text_embeds", Input.longs("input_ids", ids, 1, ids.length))
                .data();
    }

    private static void assertTensor(NodeInfo info, OnnxJavaType type, long... shape) {
        TensorInfo t = (TensorInfo) info.getInfo();
        assertEquals(type, t.type);
        assertArrayEquals(shape, t.getShape());
    }
}
