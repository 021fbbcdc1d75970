package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.RelativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.convert.OrtTestSupport;
import io.github.clip2latent.convert.OrtTestSupport.Input;
import io.github.clip2latent.convert.read.ConversionException;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.ModulatedConv;
import io.github.clip2latent.latent.Truncation;
import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The StyleGAN2 fixture ({@code reference/stylegan2}, MANIFEST.md there) read through the NVIDIA
 * pickle reader, written as mapping and synthesis graphs and run in ONNX Runtime against the
 * reference's outputs.
 */
class StyleGan2GraphWritersTest {

    /** The tolerance: max |got - want| relative to the largest |want|. */
    private static final double TOLERANCE = 1e-4;

    private static final int BATCH = 3;

    @TempDir static Path dir;

    private static Path reference;
    private static Path pickle;
    private static StyleGan2Generator generator;
    private static Path mappingFile;
    private static Path synthesisFile;

    @BeforeAll
    static void writeGraphs() throws Exception {
        reference = Path.of(StyleGan2GraphWritersTest.class.getResource("/reference/stylegan2/MANIFEST.md").toURI()).getParent();
        pickle = reference.resolve("network-snapshot-025000.pkl");
        generator = StyleGanPickles.readStyleGan2(pickle);
        mappingFile = dir.resolve("mapping.onnx");
        synthesisFile = dir.resolve("synthesis.onnx");
        MappingGraphWriter.write(generator.mapping(), "fixture", mappingFile);
        StyleGan2SynthesisGraphWriter.write(generator.synthesis(), "fixture", synthesisFile);
    }

    private static NpyArray npy(String name) throws Exception {
        return Npy.read(reference.resolve(name));
    }

    private static double relativeError(float[] got, float[] want) {
        return RelativeError.of(want, got);
    }

    private static void assertClose(float[] got, float[] want, String what) {
        double err = relativeError(got, want);
        System.out.printf("%s: max relative error %.2e%n", what, err);
        assertTrue(err <= TOLERANCE, what + ": relative error " + err + " > " + TOLERANCE);
    }

    @Test
    void metadataFromThePickle() {
        StyleGanNetwork n = generator.network();
        assertEquals(pickle, n.source());
        assertEquals("Generator", n.generatorClass());
        assertEquals(64, n.zDim());
        assertEquals(64, n.wDim());
        assertEquals(8, n.numWs());
        assertEquals(32, n.resolution());
        assertEquals(3, n.imgChannels());
        assertEquals("skip", n.architecture());
        assertEquals(8, n.mappingLayers());
        assertEquals(Map.of(4, 16, 8, 16, 16, 16, 32, 8), n.channels());
        assertEquals(
                List.of("b4.conv1", "b8.conv0", "b8.conv1", "b16.conv0", "b16.conv1", "b32.conv0", "b32.conv1"),
                List.copyOf(n.noiseInputs().keySet()));
        assertArrayEquals(
                npyData("w_avg.npy"), generator.mapping().wAvg(), "w_avg as stored in G_ema");
    }

    private static float[] npyData(String name) {
        try {
            return npy(name).data();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void graphContractAndMetadata() throws Exception {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession s = OrtEnvironment.getEnvironment().createSession(synthesisFile.toString(), opts)) {
            List<String> inputs = new ArrayList<>(s.getInputInfo().keySet());
            assertEquals("ws", inputs.get(0));
            assertTrue(inputs.containsAll(generator.network().noiseInputs().keySet()));
            assertTrue(inputs.contains("noise_const_scale"));
            assertEquals(List.of("image"), List.copyOf(s.getOutputInfo().keySet()));
            Map<String, String> meta = s.getMetadata().getCustomMetadata();
            assertEquals("stylegan2_synthesis", meta.get("clip2latent.graph"));
            assertEquals("skip", meta.get("clip2latent.stylegan.architecture"));
            assertEquals(
                    "b4.conv1:4,b8.conv0:8,b8.conv1:8,b16.conv0:16,b16.conv1:16,b32.conv0:32,b32.conv1:32",
                    meta.get("clip2latent.stylegan.noise_inputs"));
        }
    }

    @Test
    void mappingAtPsi1MatchesTheReference() throws Exception {
        NpyArray z = npy("z.npy");
        float[] w = OrtTestSupport.run(mappingFile, "w", Input.floats("z", z.data(), z.shape())).data();
        float[] ws = npy("ws.npy").data();
        // The reference broadcasts one w to all num_ws rows.
        assertClose(broadcast(w), ws, "mapping psi 1");
    }

    @Test
    void styleGanTruncationAtPsi07CentersOnWAvg() throws Exception {
        NpyArray z = npy("z.npy");
        float[] ws = broadcast(OrtTestSupport.run(mappingFile, "w", Input.floats("z", z.data(), z.shape())).data());
        Truncation.applyInPlace(ws, BATCH * 8, generator.mapping().wAvg(), 0.7f);
        assertClose(ws, npy("ws_psi0p7.npy").data(), "truncation psi 0.7 on w_avg");
    }

    private static float[] broadcast(float[] w) {
        float[] out = new float[BATCH * 8 * 64];
        for (int b = 0; b < BATCH; b++) {
            for (int r = 0; r < 8; r++) {
                System.arraycopy(w, b * 64, out, (b * 8 + r) * 64, 64);
            }
        }
        return out;
    }

    private static float[] synthesize(String wsFile, String mode) throws Exception {
        NpyArray ws = npy(wsFile);
        List<Input> in = new ArrayList<>(List.of(Input.floats("ws", ws.data(), ws.shape())));
        int i = 0;
        for (ModulatedConv layer : generator.synthesis().noiseLayers()) {
            int r = layer.resolution();
            float[] noise =
                    mode.equals("random")
                            ? npy(String.format("noise_random_%02d_%s.npy", i, layer.path().replace('.', '_'))).data()
                            : new float[BATCH * r * r];
            in.add(Input.floats(layer.path(), noise, BATCH, 1, r, r));
            i++;
        }
        in.add(Input.floats("noise_const_scale", new float[] {mode.equals("const") ? 1 : 0}, 1));
        return OrtTestSupport.run(synthesisFile, "image", in.toArray(Input[]::new)).data();
    }

    @Test
    void synthesisWithConstNoise() throws Exception {
        assertClose(synthesize("ws.npy", "const"), npy("img_const.npy").data(), "synthesis const");
    }

    @Test
    void synthesisWithoutNoise() throws Exception {
        assertClose(synthesize("ws.npy", "none"), npy("img_none.npy").data(), "synthesis none");
    }

    @Test
    void synthesisWithTheRecordedRandomNoise() throws Exception {
        assertClose(synthesize("ws.npy", "random"), npy("img_random.npy").data(), "synthesis random");
    }

    @Test
    void synthesisWithMixedWs() throws Exception {
        assertClose(synthesize("ws_mixed.npy", "const"), npy("img_mixed.npy").data(), "synthesis mixed ws");
    }

    @Test
    void theInstantaneousGIsNotWhatWasRead() throws Exception {
        // img_from_G_not_G_ema is a diagnostic: matching it would mean the writer read G.
        double err = relativeError(synthesize("ws.npy", "const"), npy("img_from_G_not_G_ema.npy").data());
        assertTrue(err > 1e-2, "the graph matches G's image (error " + err + "): it read G, not G_ema");
    }

    @Test
    void sameWeightsGiveIdenticalBytes() {
        assertArrayEquals(
                StyleGan2SynthesisGraphWriter.build(generator.synthesis(), "p").toByteArray(),
                StyleGan2SynthesisGraphWriter.build(generator.synthesis(), "p").toByteArray());
    }

    // ---- bad pickles, derived from the fixture by editing its bytes ----

    private static Path edited(String name, byte[] from, byte[] to, int expectedCount) throws Exception {
        assertEquals(from.length, to.length);
        byte[] data = Files.readAllBytes(pickle);
        int count = 0;
        for (int i = 0; i + from.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, data, i, to.length);
                count++;
            }
        }
        assertEquals(expectedCount, count, "occurrences of the edited bytes");
        Path file = dir.resolve(name);
        Files.write(file, data);
        return file;
    }

    private static String failure(Path file) {
        return assertThrows(ConversionException.class, () -> StyleGanPickles.readStyleGan2(file)).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message lacks '" + p + "': " + message);
        }
    }

    @Test
    void noGEmaNamesThePickleAndTheKey() throws Exception {
        Path bad = edited("no-g-ema.pkl", bytes("\u008c\u0005G_ema"), bytes("\u008c\u0005G_emb"), 1);
        assertMentions(failure(bad), bad.toString(), "G_ema", "no such network");
    }

    @Test
    void unknownArchitectureNamesTheBlock() throws Exception {
        Path bad = edited("unet.pkl", bytes("\u008c\u0004skip"), bytes("\u008c\u0004unet"), 1);
        assertMentions(failure(bad), bad.toString(), "G_ema.synthesis.b4", "architecture 'unet'", "orig, skip, resnet");
    }

    @Test
    void missingBufferNamesTheLayer() throws Exception {
        Path bad = edited("no-noise.pkl", bytes("\u008c\u000bnoise_const"), bytes("\u008c\u000bnoise_konst"), 1);
        assertMentions(failure(bad), bad.toString(), "synthesis.b4.conv1", "noise_const");
    }

    @Test
    void wrongShapeNamesTheTensorAndBothShapes() throws Exception {
        // Every contiguous 4x4 tensor (size (4, 4), stride (4, 1)) becomes 2x8 (stride (8, 1)).
        Path bad =
                edited(
                        "shapes.pkl",
                        new byte[] {'K', 4, 'K', 4, (byte) 0x86, 'K', 4, 'K', 1, (byte) 0x86},
                        new byte[] {'K', 2, 'K', 8, (byte) 0x86, 'K', 8, 'K', 1, (byte) 0x86},
                        38);
        assertMentions(failure(bad), bad.toString(), "G_ema.synthesis.b4.conv1", "noise_const", "[2, 8]", "[4, 4]");
    }

    private static byte[] bytes(String latin1) {
        return latin1.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
