package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.RelativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.OrtTestSupport;
import io.github.clip2latent.convert.OrtTestSupport.Input;
import io.github.clip2latent.convert.read.ModuleRecord;
import io.github.clip2latent.convert.read.NetworkPickleReader;
import io.github.clip2latent.latent.Truncation;
import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

/**
 * StyleGAN3-R ({@code reference/stylegan3-r}, MANIFEST.md there: the reference code with what
 * {@code train.py --cfg=stylegan3-r} sets: 1x1 convolutions, radially symmetric down-sampling
 * filters, doubled channels): the same writer as StyleGAN3-T, run in ONNX Runtime against the
 * reference's images with the tolerance of {@link StyleGan3SynthesisGraphWriterTest}.
 */
class StyleGan3RSynthesisGraphWriterTest {

    /** The bound: maximum absolute error relative to the image's maximum magnitude. */
    private static final double RELATIVE_TOLERANCE = 1e-4;

    @TempDir static Path dir;

    private static Path pickle;
    private static ModuleRecord generator;
    private static Path synthesis;
    private static Path mapping;

    static Path reference(String name) throws URISyntaxException {
        return Path.of(
                StyleGan3RSynthesisGraphWriterTest.class
                        .getResource("/reference/stylegan3-r/" + name)
                        .toURI());
    }

    @BeforeAll
    static void writeGraphs() throws Exception {
        pickle = reference("network-snapshot-025000.pkl");
        generator = NetworkPickleReader.read(pickle).network(StyleGan3SynthesisGraphWriter.NETWORK);
        synthesis = dir.resolve("synthesis.onnx");
        StyleGan3SynthesisGraphWriter.write(generator, pickle).write(synthesis);
        mapping = dir.resolve("mapping.onnx");
        MappingGraphWriter.write(
                StyleGanPickles.mapping(pickle, generator.children().get("mapping")),
                "fixture stylegan3-r",
                mapping);
    }

    private static double relativeError(float[] want, float[] got) {
        return RelativeError.of(want, got);
    }

    private static void assertClose(float[] got, float[] want, String what) {
        double err = relativeError(want, got);
        System.out.printf("stylegan3-r %s: max relative error %.2e%n", what, err);
        assertTrue(err <= RELATIVE_TOLERANCE, what + ": relative error " + err);
    }

    private static OrtTestSupport.FloatOutput synthesize(String wsFile) throws Exception {
        NpyArray ws = Npy.read(reference(wsFile));
        return OrtTestSupport.run(
                synthesis,
                StyleGan3SynthesisGraphWriter.OUTPUT,
                Input.floats(StyleGan3SynthesisGraphWriter.INPUT, ws.data(), ws.shape()));
    }

    @Test
    void readsTheRVariant() {
        StyleGan3Synthesis net =
                StyleGan3Pickle.read(StyleGan3SynthesisGraphWriter.view(generator), pickle);
        assertEquals(16, net.numWs());
        assertEquals(32, net.imgResolution());
        int radial = 0;
        for (StyleGan3Layer layer : net.layers()) {
            // SynthesisLayer.__init__: conv_kernel = 1 if is_torgb else conv_kernel (1 for R).
            assertEquals(1, layer.kernel(), layer.path());
            if (layer.downFilter() != null && !layer.downFilter().separable()) {
                radial++;
            }
        }
        // use_radial_filters: radial down filters except on the critically sampled last layers
        // (num_critical = 2) and the ToRGB layer; 12 of the 15 layers here.
        assertEquals(12, radial);
        assertEquals(16, net.layers().get(0).outChannels(), "channel_max doubled from 8 to 16");
    }

    @Test
    void matchesReferenceImage() throws Exception {
        NpyArray want = Npy.read(reference("img.npy"));
        OrtTestSupport.FloatOutput got = synthesize("ws.npy");
        assertArrayEquals(want.shape(), got.shape());
        assertClose(got.data(), want.data(), "img");
    }

    @Test
    void matchesReferenceImageWithMixedWs() throws Exception {
        assertClose(
                synthesize("ws_mixed.npy").data(),
                Npy.read(reference("img_mixed.npy")).data(),
                "img_mixed");
    }

    @Test
    void doesNotMatchTheInstantaneousGenerator() throws Exception {
        double err =
                relativeError(
                        Npy.read(reference("img_from_G_not_G_ema.npy")).data(),
                        synthesize("ws.npy").data());
        assertTrue(err > 0.05, "G_ema graph matches G's image: relative difference " + err);
    }

    @Test
    void mappingAtPsi1AndTruncationAtPsi07() throws Exception {
        NpyArray z = Npy.read(reference("z.npy"));
        int batch = (int) z.dim(0);
        float[] w = OrtTestSupport.run(mapping, "w", Input.floats("z", z.data(), z.shape())).data();
        float[] ws = new float[batch * 16 * 32];
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < 16; r++) {
                System.arraycopy(w, b * 32, ws, (b * 16 + r) * 32, 32);
            }
        }
        assertClose(ws, Npy.read(reference("ws.npy")).data(), "mapping psi 1");
        float[] wAvg = Npy.read(reference("w_avg.npy")).data();
        Truncation.applyInPlace(ws, batch * 16, wAvg, 0.7f);
        assertClose(ws, Npy.read(reference("ws_psi0p7.npy")).data(), "truncation psi 0.7");
    }

    @Test
    void writesMetadataFromThePickle() {
        Map<String, String> meta = StyleGan3SynthesisGraphWriter.write(pickle).metadata();
        assertEquals("stylegan3", meta.get("clip2latent.stylegan.family"));
        assertEquals("16", meta.get("clip2latent.stylegan.num_ws"));
        assertEquals("32", meta.get("clip2latent.stylegan.w_dim"));
        assertEquals("32", meta.get("clip2latent.stylegan.img_resolution"));
    }
}
