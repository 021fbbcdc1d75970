package io.github.clip2latent.convert.graph;

import io.github.clip2latent.tensor.ElementType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.convert.OrtTestSupport;
import io.github.clip2latent.convert.OrtTestSupport.Input;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

class GraphBuilderTest {

    @TempDir Path dir;

    /** y = LayerNorm(x W^T) with W stored (out, in), over a symbolic batch. */
    // Scopes only name intermediate values; the handle is closed, never read.
    @SuppressWarnings("try")
    private static OnnxModel smallModel() {
        GraphBuilder g = new GraphBuilder("small");
        g.metadata("clip2latent.test", "yes");
        GraphValue x = g.input("x", ElementType.FLOAT, Dim.symbolic("batch"), Dim.of(3));
        GraphValue w =
                g.initializer(
                        new NamedTensor(
                                "layer.weight",
                                new long[] {2, 3},
                                new float[] {1, 2, 3, -1, 0, 1}));
        GraphValue y;
        try (GraphBuilder.Scope s = g.scope("block")) {
            y = g.matMul(x, g.transpose(w, 1, 0));
            y = g.layerNorm(y, g.floatConstant("gain", new long[] {2}, new float[] {1, 2}), 1e-5f);
        }
        g.output(y, "y", ElementType.FLOAT, Dim.symbolic("batch"), Dim.of(2));
        return g.build();
    }

    @Test
    void runsInOnnxRuntimeWithMetadataAndProducer() throws Exception {
        OnnxModel model = smallModel();
        assertEquals("clip2latent-java", model.proto().getProducerName());
        assertEquals(GraphBuilder.OPSET, model.proto().getOpsetImport(0).getVersion());
        Path file = dir.resolve("small.onnx");
        model.write(file);

        var out =
                OrtTestSupport.run(
                        file, "y", Input.floats("x", new float[] {1, 0, 0, 0, 1, 1}, 2, 3));
        assertArrayEquals(new long[] {2, 2}, out.shape());
        // Row 0: W x = (1, -1) -> normalized (1, -1) * gain (1, 2) = (1, -2), up to eps.
        assertEquals(1.0, out.data()[0], 1e-4);
        assertEquals(-2.0, out.data()[1], 1e-4);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(file.toString(), opts)) {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            assertEquals("yes", meta.get("clip2latent.test"));
            assertEquals("clip2latent-java", session.getMetadata().getProducerName());
        }
    }

    @Test
    void sameCallsGiveIdenticalBytes() {
        assertArrayEquals(smallModel().toByteArray(), smallModel().toByteArray());
    }

    // Scopes only name intermediate values; the handle is closed, never read.
    @SuppressWarnings("try")
    @Test
    void intermediateNamesAreUniqueAndScoped() {
        GraphBuilder g = new GraphBuilder("g");
        String a = g.uniqueName("MatMul");
        String b = g.uniqueName("MatMul");
        assertTrue(!a.equals(b));
        try (GraphBuilder.Scope s = g.scope("layers.0")) {
            assertTrue(g.uniqueName("Add").startsWith("layers.0/Add_"));
        }
    }

    @Test
    void rejectsDuplicateAndUndefinedNames() {
        GraphBuilder g = new GraphBuilder("g");
        g.input("x", ElementType.FLOAT, Dim.of(1));
        assertThrows(
                IllegalArgumentException.class, () -> g.input("x", ElementType.FLOAT, Dim.of(1)));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> g.tanh(new GraphValue("nowhere")));
        assertTrue(e.getMessage().contains("nowhere"));
        g.metadata("k", "v");
        assertThrows(IllegalArgumentException.class, () -> g.metadata("k", "w"));
        assertThrows(IllegalStateException.class, g::build); // no outputs
    }

    @Test
    void namedTensorChecksLengthAgainstShape() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new NamedTensor("w", new long[] {2, 3}, new float[5]));
        assertEquals("tensor 'w' with shape [2, 3] needs 6 values, got 5", e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new NamedTensor("w", new long[] {0}, new float[0]));
        float[] data = {1, 2};
        NamedTensor t = new NamedTensor("w", new long[] {2}, data);
        data[0] = 7;
        assertEquals(1f, t.get(0), "the constructor copies the data");
        assertEquals(t, new NamedTensor("w", new long[] {2}, new float[] {1, 2}));
    }

    @Test
    void dimensionsAreFixedOrSymbolic() {
        assertEquals("batch", Dim.symbolic("batch").toString());
        assertThrows(IllegalArgumentException.class, () -> Dim.of(0));
        assertThrows(IllegalArgumentException.class, () -> new Dim(3, "b"));
    }
}
