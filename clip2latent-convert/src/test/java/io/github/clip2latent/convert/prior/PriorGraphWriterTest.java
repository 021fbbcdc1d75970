package io.github.clip2latent.convert.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import io.github.clip2latent.convert.graph.OnnxModel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

class PriorGraphWriterTest {

    @TempDir Path dir;

    private static final PriorConfig CONFIG = new PriorConfig(16, 2, 2, 8, 10);

    @Test
    void contractNamesTypesAndMetadataAsDeclared() throws Exception {
        Path file = dir.resolve("prior.onnx");
        PriorGraphWriter.write(PriorWeights.random(CONFIG, 1), "unit test, seed 1", file);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(file.toString(), opts)) {
            Map<String, NodeInfo> in = session.getInputInfo();
            assertEquals(Set.of("x_t", "t", "condition", "keep_condition"), in.keySet());
            assertTensor(in.get("x_t"), OnnxJavaType.FLOAT, -1, 16);
            assertTensor(in.get("t"), OnnxJavaType.INT64, -1);
            assertTensor(in.get("condition"), OnnxJavaType.FLOAT, -1, 16);
            assertTensor(in.get("keep_condition"), OnnxJavaType.FLOAT, -1);
            assertEquals(Set.of("x0"), session.getOutputInfo().keySet());
            assertTensor(session.getOutputInfo().get("x0"), OnnxJavaType.FLOAT, -1, 16);
            assertEquals("batch", ((TensorInfo) in.get("x_t").getInfo()).getDimensionNames()[0]);

            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            assertEquals("unit test, seed 1", meta.get("clip2latent.provenance"));
            assertEquals("diffusion_prior_network", meta.get("clip2latent.graph"));
            assertEquals("16", meta.get("clip2latent.prior.dim"));
            assertEquals("2", meta.get("clip2latent.prior.depth"));
            assertEquals("2", meta.get("clip2latent.prior.heads"));
            assertEquals("8", meta.get("clip2latent.prior.dim_head"));
            assertEquals("10", meta.get("clip2latent.prior.timesteps"));
            assertEquals("8", meta.get("clip2latent.prior.rotary_dim"));
            assertEquals("clip2latent-java", session.getMetadata().getProducerName());
        }
    }

    @Test
    void weightsAreInitializersUnderTheReferenceNames() {
        PriorWeights weights = PriorWeights.random(CONFIG, 1);
        OnnxModel model = PriorGraphWriter.build(weights, "x");
        Set<String> initializers =
                model.proto().getGraph().getInitializerList().stream()
                        .map(OnnxMl.TensorProto::getName)
                        .collect(Collectors.toSet());
        assertTrue(initializers.containsAll(weights.tensors().keySet()), initializers.toString());
    }

    @Test
    void sameWeightsGiveIdenticalBytes() {
        assertArrayEquals(
                PriorGraphWriter.build(PriorWeights.random(CONFIG, 4), "p").toByteArray(),
                PriorGraphWriter.build(PriorWeights.random(CONFIG, 4), "p").toByteArray());
    }

    @Test
    void precomputedTablesFollowSection3() {
        // Causal: query 0 sees the null key and token 0 only; query 3 sees everything.
        boolean[] causal = PriorGraphWriter.causalMask();
        assertArrayEquals(
                new boolean[] {true, true, false, false, false},
                java.util.Arrays.copyOfRange(causal, 0, 5));
        assertArrayEquals(
                new boolean[] {true, true, true, true, true},
                java.util.Arrays.copyOfRange(causal, 15, 20));
        // Bias bucket max(i - j, 0): for query 2, keys 0..4 use buckets 2, 1, 0, 0, 0.
        assertArrayEquals(
                new long[] {2, 1, 0, 0, 0},
                java.util.Arrays.copyOfRange(PriorGraphWriter.relPosBuckets(), 10, 15));
    }

    private static void assertTensor(NodeInfo info, OnnxJavaType type, long... shape) {
        TensorInfo t = (TensorInfo) info.getInfo();
        assertEquals(type, t.type);
        assertArrayEquals(shape, t.getShape());
    }
}
