package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.RelativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.convert.OrtTestSupport;
import io.github.clip2latent.convert.OrtTestSupport.Input;
import io.github.clip2latent.convert.read.ConversionException;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.Block;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.ModulatedConv;
import io.github.clip2latent.latent.Truncation;
import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The StyleGAN2 block architectures other than config F's {@code skip}: the fixtures {@code
 * reference/stylegan2-orig} and {@code reference/stylegan2-resnet} (MANIFEST.md there; made by the
 * reference code with {@code architecture='orig'} / {@code 'resnet'}) read through the pickle
 * reader, written as mapping and synthesis graphs and run in ONNX Runtime against the reference's
 * images, with the same tolerance as {@link StyleGan2GraphWritersTest}.
 */
class StyleGan2ArchitecturesTest {

    /** The tolerance: max |got - want| relative to the largest |want|. */
    private static final double TOLERANCE = 1e-4;

    @TempDir static Path dir;

    /** One fixture set read and written once per test class. */
    private record Set(
            String name, Path reference, StyleGan2Generator generator, Path mapping, Path synthesis) {

        NpyArray npy(String file) throws Exception {
            return Npy.read(reference.resolve(file));
        }

        int batch() throws Exception {
            return (int) npy("z.npy").dim(0);
        }
    }

    private static final Map<String, Set> SETS = new ConcurrentHashMap<>();

    private static Set set(String name) throws Exception {
        Set s = SETS.get(name);
        if (s == null) {
            s = load(name);
            SETS.put(name, s);
        }
        return s;
    }

    private static Set load(String name) throws Exception {
        Path reference = resource(name);
        Path pickle = reference.resolve("network-snapshot-025000.pkl");
        StyleGan2Generator generator = StyleGanPickles.readStyleGan2(pickle);
        Path mapping = dir.resolve(name + "-mapping.onnx");
        Path synthesis = dir.resolve(name + "-synthesis.onnx");
        MappingGraphWriter.write(generator.mapping(), "fixture " + name, mapping);
        StyleGan2SynthesisGraphWriter.write(generator.synthesis(), "fixture " + name, synthesis);
        return new Set(name, reference, generator, mapping, synthesis);
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(
                        StyleGan2ArchitecturesTest.class
                                .getResource("/reference/" + name + "/MANIFEST.md")
                                .toURI())
                .getParent();
    }

    private static double relativeError(float[] got, float[] want) {
        return RelativeError.of(want, got);
    }

    private static void assertClose(float[] got, float[] want, String what) {
        double err = relativeError(got, want);
        System.out.printf("%s: max relative error %.2e%n", what, err);
        assertTrue(err <= TOLERANCE, what + ": relative error " + err + " > " + TOLERANCE);
    }

    private static String architecture(String set) {
        return set.substring("stylegan2-".length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"stylegan2-orig", "stylegan2-resnet"})
    void metadataAndLayersFollowTheArchitecture(String name) throws Exception {
        Set s = set(name);
        StyleGanNetwork n = s.generator().network();
        assertEquals(architecture(name), n.architecture());
        assertEquals(32, n.zDim());
        assertEquals(32, n.wDim());
        assertEquals(16, n.resolution());
        assertEquals(2, n.mappingLayers());
        // SynthesisNetwork.__init__: num_ws = sum of num_conv, plus the last block's one ToRGB
        // (orig and resnet have no ToRGB elsewhere): 1 + 2 + 2 + 1.
        assertEquals(6, n.numWs());
        assertEquals(Map.of(4, 8, 8, 8, 16, 8), n.channels());
        assertEquals(
                List.of("b4.conv1", "b8.conv0", "b8.conv1", "b16.conv0", "b16.conv1"),
                List.copyOf(n.noiseInputs().keySet()));
        boolean resnet = name.endsWith("resnet");
        for (Block b : s.generator().synthesis().blocks()) {
            // SynthesisBlock.__init__: torgb only if is_last or skip; skip conv for resnet after b4.
            assertEquals(b.isLast(), b.toRgb() != null, b.path() + " torgb");
            if (resnet && b.conv0() != null) {
                assertNotNull(b.skip(), b.path() + " skip");
            } else {
                assertNull(b.skip(), b.path() + " skip");
            }
        }
        assertArrayEquals(s.npy("w_avg.npy").data(), s.generator().mapping().wAvg());
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession session =
                        OrtEnvironment.getEnvironment()
                                .createSession(s.synthesis().toString(), opts)) {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            assertEquals(architecture(name), meta.get("clip2latent.stylegan.architecture"));
            assertEquals("6", meta.get("clip2latent.stylegan.num_ws"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stylegan2-orig", "stylegan2-resnet"})
    void mappingAtPsi1AndTruncationAtPsi07(String name) throws Exception {
        Set s = set(name);
        NpyArray z = s.npy("z.npy");
        float[] w = OrtTestSupport.run(s.mapping(), "w", Input.floats("z", z.data(), z.shape())).data();
        float[] ws = broadcast(w, s.batch(), 6, 32);
        assertClose(ws, s.npy("ws.npy").data(), name + " mapping psi 1");
        Truncation.applyInPlace(ws, s.batch() * 6, s.generator().mapping().wAvg(), 0.7f);
        assertClose(ws, s.npy("ws_psi0p7.npy").data(), name + " truncation psi 0.7");
    }

    private static float[] broadcast(float[] w, int batch, int numWs, int wDim) {
        float[] out = new float[batch * numWs * wDim];
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < numWs; r++) {
                System.arraycopy(w, b * wDim, out, (b * numWs + r) * wDim, wDim);
            }
        }
        return out;
    }

    private static float[] synthesize(Set s, String wsFile, String mode) throws Exception {
        NpyArray ws = s.npy(wsFile);
        int batch = (int) ws.dim(0);
        List<Input> in = new ArrayList<>(List.of(Input.floats("ws", ws.data(), ws.shape())));
        int i = 0;
        for (ModulatedConv layer : s.generator().synthesis().noiseLayers()) {
            int r = layer.resolution();
            float[] noise =
                    mode.equals("random")
                            ? s.npy(String.format(
                                            "noise_random_%02d_%s.npy",
                                            i, layer.path().replace('.', '_')))
                                    .data()
                            : new float[batch * r * r];
            in.add(Input.floats(layer.path(), noise, batch, 1, r, r));
            i++;
        }
        in.add(Input.floats("noise_const_scale", new float[] {mode.equals("const") ? 1 : 0}, 1));
        return OrtTestSupport.run(s.synthesis(), "image", in.toArray(Input[]::new)).data();
    }

    @ParameterizedTest
    @ValueSource(strings = {"stylegan2-orig", "stylegan2-resnet"})
    void synthesisWithConstNoise(String name) throws Exception {
        Set s = set(name);
        assertClose(synthesize(s, "ws.npy", "const"), s.npy("img_const.npy").data(), name + " const");
    }

    @ParameterizedTest
    @ValueSource(strings = {"stylegan2-orig", "stylegan2-resnet"})
    void synthesisWithoutNoise(String name) throws Exception {
        Set s = set(name);
        assertClose(synthesize(s, "ws.npy", "none"), s.npy("img_none.npy").data(), name + " none");
    }

    @ParameterizedTest
    @ValueSource(strings = {"stylegan2-orig", "stylegan2-resnet"})
    void synthesisWithTheRecordedRandomNoise(String name) throws Exception {
        Set s = set(name);
        assertClose(
                synthesize(s, "ws.npy", "random"), s.npy("img_random.npy").data(), name + " random");
    }

    @ParameterizedTest
    @ValueSource(strings = {"stylegan2-orig", "stylegan2-resnet"})
    void synthesisWithMixedWs(String name) throws Exception {
        Set s = set(name);
        assertClose(
                synthesize(s, "ws_mixed.npy", "const"),
                s.npy("img_mixed.npy").data(),
                name + " mixed ws");
    }

    @ParameterizedTest
    @ValueSource(strings = {"stylegan2-orig", "stylegan2-resnet"})
    void theInstantaneousGIsNotWhatWasRead(String name) throws Exception {
        Set s = set(name);
        double err =
                relativeError(
                        synthesize(s, "ws.npy", "const"), s.npy("img_from_G_not_G_ema.npy").data());
        assertTrue(err > 1e-2, name + ": the graph matches G's image (error " + err + ")");
    }

    // ---- bad pickles, derived from the fixtures by editing one string's bytes ----

    /**
     * The fixture pickle with every occurrence of the short string {@code from} (SHORT_BINUNICODE
     * opcode, length byte, text; later uses are memo references) replaced by {@code to}.
     */
    private static Path edited(String set, String from, String to, int expectedCount)
            throws Exception {
        byte[] f = shortString(from);
        byte[] t = shortString(to);
        assertEquals(f.length, t.length);
        byte[] data = Files.readAllBytes(resource(set).resolve("network-snapshot-025000.pkl"));
        int count = 0;
        for (int i = 0; i + f.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, data, i, t.length);
                count++;
            }
        }
        assertEquals(expectedCount, count, "occurrences of " + from);
        Path file = dir.resolve(set + "-" + to + ".pkl");
        Files.write(file, data);
        return file;
    }

    private static byte[] shortString(String s) {
        byte[] text = s.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[text.length + 2];
        out[0] = (byte) 0x8c;
        out[1] = (byte) text.length;
        System.arraycopy(text, 0, out, 2, text.length);
        return out;
    }

    private static void assertFailsNaming(Path bad, String... parts) {
        String message =
                assertThrows(ConversionException.class, () -> StyleGanPickles.readStyleGan2(bad))
                        .getMessage();
        assertTrue(message.contains(bad.toString()), message);
        for (String p : parts) {
            assertTrue(message.contains(p), "message lacks '" + p + "': " + message);
        }
    }

    @Test
    void resnetBlockWithoutItsSkipConvolutionIsNamed() throws Exception {
        // The module key 'skip' (written once, then memo references) becomes 'skiq'.
        Path bad = edited("stylegan2-resnet", "skip", "skiq", 1);
        assertFailsNaming(bad, "G_ema.synthesis.b8", "no submodule 'skip'");
    }

    @Test
    void origLastBlockWithoutToRgbIsNamed() throws Exception {
        Path bad = edited("stylegan2-orig", "torgb", "torgc", 1);
        assertFailsNaming(bad, "G_ema.synthesis.b16", "no submodule 'torgb'");
    }
}
