package io.github.clip2latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.convert.graph.Dim;
import io.github.clip2latent.tensor.ElementType;
import io.github.clip2latent.convert.graph.GraphBuilder;
import io.github.clip2latent.convert.graph.GraphValue;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.convert.prior.PriorGraphWriter;
import io.github.clip2latent.convert.prior.PriorWeights;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Every way a bundle can be wrong gives a message naming the file, the stage, the expected and the
 * found.
 */
class BundleLoadErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private Path bundle() throws IOException {
        return RandomBundles.write(dir.resolve("b"), RandomBundles.Spec.tiny(), 3).directory();
    }

    private BundleException failsToLoad(Path bundle) {
        int before = SessionFactory.openSessionCount();
        BundleException e =
                assertThrows(
                        BundleException.class,
                        // Checksums off: these cases replace files to reach the checks behind the
                        // checksum, which would report every replaced file first
                        // (BundleIntegrityTest).
                        () ->
                                Clip2Latent.load(
                                        bundle,
                                        RuntimeOptions.cpu().withChecksumVerification(false)));
        assertEquals(
                before,
                SessionFactory.openSessionCount(),
                "sessions left open after a failed load");
        return e;
    }

    private static void assertContains(Exception e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(
                    e.getMessage().contains(fragment),
                    "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    private static void editManifest(Path bundle, Consumer<ObjectNode> edit) throws IOException {
        Path file = bundle.resolve("clip2latent.json");
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(root);
        Files.writeString(file, JSON.writeValueAsString(root));
    }

    @Test
    void missingFolderAndManifest() throws IOException {
        assertContains(failsToLoad(dir.resolve("nowhere")), "nowhere", "does not exist");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertContains(failsToLoad(empty), "clip2latent.json", "does not exist");
    }

    @Test
    void missingFile() throws IOException {
        Path b = bundle();
        Files.delete(b.resolve("prior.onnx"));
        assertContains(failsToLoad(b), "prior.onnx", "missing", "stage prior");
        Path c = RandomBundles.write(dir.resolve("c"), RandomBundles.Spec.tiny(), 3).directory();
        Files.delete(c.resolve("latent_std.npy"));
        assertContains(failsToLoad(c), "latent_std.npy", "missing");
    }

    @Test
    void missingManifestKey() throws IOException {
        Path b = bundle();
        editManifest(b, root -> ((ObjectNode) root.get("latent")).remove("dim"));
        assertContains(failsToLoad(b), "clip2latent.json", "missing key 'latent.dim'");
    }

    @Test
    void malformedManifest() throws IOException {
        Path b = bundle();
        Files.writeString(b.resolve("clip2latent.json"), "{ \"formatVersion\": 1, ");
        assertContains(failsToLoad(b), "clip2latent.json", "not valid JSON");
    }

    @Test
    void wrongInputName() throws IOException {
        Path b = bundle();
        editManifest(
                b,
                root ->
                        ((ObjectNode) root.at("/stages/prior/inputs/0"))
                                .put("name", "noisy_latent"));
        assertContains(
                failsToLoad(b),
                "stage prior",
                "prior.onnx",
                "expected input 'noisy_latent'",
                "x_t");
    }

    private static void addInput(ObjectNode root, String name, long... shape) {
        ObjectNode t =
                ((com.fasterxml.jackson.databind.node.ArrayNode)
                                root.at("/stages/synthesis/inputs"))
                        .addObject();
        t.put("name", name);
        t.put("type", "float32");
        var dims = t.putArray("shape");
        for (long d : shape) {
            dims.add(d);
        }
    }

    @Test
    void malformedNoiseInputs() throws IOException {
        Path b = bundle();
        editManifest(
                b,
                root -> {
                    addInput(root, "b4.conv1", -1, 1, 3, 3);
                    addInput(root, "noise_const_scale", 1);
                });
        assertContains(
                failsToLoad(b),
                "clip2latent.json",
                "stages.synthesis.inputs[1]' (b4.conv1) must be a noise input",
                "float32[?, 1, 3, 3]");
        Path c = RandomBundles.write(dir.resolve("c"), RandomBundles.Spec.tiny(), 3).directory();
        editManifest(c, root -> addInput(root, "b4.conv1", -1, 1, 4, 4));
        assertContains(
                failsToLoad(c), "stages.synthesis.inputs' after 'ws'", "constant-noise scale");
    }

    @Test
    void declaredNoiseInputsTheGraphLacks() throws IOException {
        Path b = bundle();
        editManifest(
                b,
                root -> {
                    addInput(root, "b4.conv1", -1, 1, 4, 4);
                    addInput(root, "noise_const_scale", 1);
                });
        assertContains(
                failsToLoad(b), "stage synthesis", "synthesis.onnx", "expected input 'b4.conv1'");
    }

    @Test
    void wrongRank() throws IOException {
        Path b = bundle();
        GraphBuilder g = new GraphBuilder("bad-mapping");
        GraphValue z = g.input("z", ElementType.FLOAT, Dim.symbolic("batch"), Dim.of(8), Dim.of(1));
        g.output(g.tanh(z), "w", ElementType.FLOAT, Dim.symbolic("batch"), Dim.of(8), Dim.of(1));
        g.build().write(b.resolve("mapping.onnx"));
        assertContains(
                failsToLoad(b),
                "stage mapping",
                "mapping.onnx",
                "input 'z'",
                "expected float32[?, 8]",
                "found float32[?, 8, 1]");
    }

    @Test
    void wrongLatentDimInTheGraph() throws IOException {
        Path b = bundle();
        PriorGraphWriter.write(
                PriorWeights.random(new PriorConfig(8, 1, 2, 8, 1000), 1),
                "too narrow",
                b.resolve("prior.onnx"));
        assertContains(failsToLoad(b), "stage prior", "input 'x_t'", "expected 16", "found 8");
    }

    @Test
    void wrongLatentDimInTheManifest() throws IOException {
        Path b = bundle();
        editManifest(
                b,
                root -> {
                    ((ObjectNode) root.get("latent")).put("dim", 32);
                });
        assertContains(
                failsToLoad(b),
                "clip2latent.json",
                "stages.prior.inputs[0]",
                "latent.dim=32",
                "float32[?, 32]");
        editManifest(
                b,
                root -> {
                    ((ObjectNode) root.get("latent")).put("dim", 16);
                    ArrayNode shape = (ArrayNode) root.at("/stages/prior/inputs/0/shape");
                    shape.set(1, 12);
                });
        assertContains(
                failsToLoad(b), "stages.prior.inputs[0]", "float32[?, 16]", "found float32[?, 12]");
    }

    @Test
    void corruptOnnxBytes() throws IOException {
        Path b = bundle();
        Files.write(b.resolve("synthesis.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        BundleException e = failsToLoad(b);
        assertContains(e, "synthesis", "synthesis.onnx", "corrupt");
        assertTrue(
                e.getCause() instanceof ai.onnxruntime.OrtException,
                "the ONNX Runtime cause is kept");
    }

    @Test
    void wrongDirectionShape() throws IOException {
        Path b = bundle();
        io.github.clip2latent.npy.Npy.write(
                b.resolve("directions/smile.npy"),
                io.github.clip2latent.npy.NpyArray.vector(new float[5]));
        assertContains(failsToLoad(b), "smile", "(16,)", "(4, 16)", "found (5,)");
    }

    @Test
    void aHandleClosesItsSessionsOnceAndAClosedHandleRefusesWork() throws IOException {
        Path b = bundle();
        int before = SessionFactory.openSessionCount();
        Clip2Latent model = Clip2Latent.load(b, RuntimeOptions.cpu());
        assertEquals(before + 5, SessionFactory.openSessionCount());
        model.close();
        model.close();
        assertEquals(before, SessionFactory.openSessionCount());
        assertThrows(IllegalStateException.class, () -> model.prompt("a man").seed(1).sample());
    }

    @Test
    void cudaRequestFallsBackToTheCpu() throws IOException {
        Path b = bundle();
        try (Clip2Latent model =
                Clip2Latent.load(
                        b,
                        RuntimeOptions.defaults()
                                .withProvider(
                                        io.github.clip2latent.runtime.ExecutionProvider.CUDA))) {
            org.junit.jupiter.api.Assumptions.assumeTrue(
                    model.executionProvider()
                            == io.github.clip2latent.runtime.ExecutionProvider.CPU,
                    "this machine has a working CUDA provider");
            assertEquals(1, model.prompt("a man").seed(1).sample().count());
        }
    }
}
