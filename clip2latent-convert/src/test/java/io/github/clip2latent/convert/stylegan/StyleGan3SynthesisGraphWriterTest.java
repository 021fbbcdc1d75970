package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.RelativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.OrtTestSupport;
import io.github.clip2latent.convert.OrtTestSupport.Input;
import io.github.clip2latent.convert.graph.OnnxModel;
import io.github.clip2latent.convert.read.ConversionException;
import io.github.clip2latent.convert.read.NetworkPickleReader;
import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The StyleGAN3 synthesis graph of the fixture pickle, run in ONNX Runtime, against the images the
 * reference PyTorch code made (reference/stylegan3/MANIFEST.md), and the errors for bad pickles.
 */
class StyleGan3SynthesisGraphWriterTest {

    /** The bound: maximum absolute error relative to the image's maximum magnitude. */
    private static final double RELATIVE_TOLERANCE = 1e-4;

    @TempDir static Path dir;

    private static Path pickle;
    private static Path model;

    static Path reference(String name) throws URISyntaxException {
        return Path.of(
                StyleGan3SynthesisGraphWriterTest.class
                        .getResource("/reference/stylegan3/" + name)
                        .toURI());
    }

    @BeforeAll
    static void writeGraph() throws Exception {
        pickle = reference("network-snapshot-025000.pkl");
        model = dir.resolve("synthesis.onnx");
        StyleGan3SynthesisGraphWriter.write(pickle).write(model);
    }

    /** Maximum absolute difference divided by the maximum magnitude of {@code want}. */
    private static double relativeError(NpyArray want, OrtTestSupport.FloatOutput got) {
        assertArrayEquals(want.shape(), got.shape());
        return RelativeError.of(want.data(), got.data());
    }

    private static OrtTestSupport.FloatOutput synthesize(String wsFile) throws Exception {
        NpyArray ws = Npy.read(reference(wsFile));
        return OrtTestSupport.run(
                model,
                StyleGan3SynthesisGraphWriter.OUTPUT,
                Input.floats(StyleGan3SynthesisGraphWriter.INPUT, ws.data(), ws.shape()));
    }

    @Test
    void matchesReferenceImage() throws Exception {
        double err = relativeError(Npy.read(reference("img.npy")), synthesize("ws.npy"));
        System.out.println("stylegan3 img relative error " + err);
        assertTrue(err <= RELATIVE_TOLERANCE, "relative error " + err);
    }

    @Test
    void matchesReferenceImageWithMixedWs() throws Exception {
        double err =
                relativeError(Npy.read(reference("img_mixed.npy")), synthesize("ws_mixed.npy"));
        System.out.println("stylegan3 img_mixed relative error " + err);
        assertTrue(err <= RELATIVE_TOLERANCE, "relative error " + err);
    }

    @Test
    void doesNotMatchTheInstantaneousGenerator() throws Exception {
        double err =
                relativeError(
                        Npy.read(reference("img_from_G_not_G_ema.npy")), synthesize("ws.npy"));
        assertTrue(err > 0.05, "G_ema graph matches G's image: relative difference " + err);
    }

    @Test
    void batchOfOneGivesTheSameRow() throws Exception {
        NpyArray ws = Npy.read(reference("ws.npy"));
        NpyArray img = Npy.read(reference("img.npy"));
        int wsRow = (int) (ws.dim(1) * ws.dim(2));
        int imgRow = (int) (img.dim(1) * img.dim(2) * img.dim(3));
        float[] one = new float[wsRow];
        System.arraycopy(ws.data(), wsRow, one, 0, wsRow);
        var out =
                OrtTestSupport.run(
                        model,
                        StyleGan3SynthesisGraphWriter.OUTPUT,
                        Input.floats("ws", one, 1, ws.dim(1), ws.dim(2)));
        float[] want = new float[imgRow];
        System.arraycopy(img.data(), imgRow, want, 0, imgRow);
        double err =
                relativeError(
                        new NpyArray(new long[] {1, img.dim(1), img.dim(2), img.dim(3)}, want),
                        out);
        // The reference normalizes styles by their mean square over the whole batch; that scalar
        // cancels in the demodulation up to the 1e-8 epsilon, so rows stay independent.
        assertTrue(err <= RELATIVE_TOLERANCE, "relative error " + err);
    }

    @Test
    void writesMetadataFromThePickle() {
        OnnxModel m = StyleGan3SynthesisGraphWriter.write(pickle);
        Map<String, String> meta = m.metadata();
        assertEquals("stylegan3", meta.get("clip2latent.stylegan.family"));
        assertEquals("Generator", meta.get("clip2latent.stylegan.class_name"));
        assertEquals("16", meta.get("clip2latent.stylegan.num_ws"));
        assertEquals("64", meta.get("clip2latent.stylegan.w_dim"));
        assertEquals("32", meta.get("clip2latent.stylegan.img_resolution"));
        assertEquals("3", meta.get("clip2latent.stylegan.img_channels"));
    }

    // ---------------------------------------------------------------------------------------------
    // Bad pickles: the real fixture's records with one thing changed.

    private static String failure(String at, UnaryOperator<StyleGan3Module> change) {
        StyleGan3Module root =
                StyleGan3SynthesisGraphWriter.view(
                        NetworkPickleReader.read(pickle).network("G_ema"));
        ConversionException e =
                assertThrows(
                        ConversionException.class,
                        () -> StyleGan3Pickle.read(Altered.at(root, at, change), pickle));
        assertTrue(e.getMessage().contains(pickle.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void unknownGeneratorClassIsNamed() {
        String msg = failure("", m -> new Altered(m).className("Discriminator"));
        assertTrue(
                msg.contains(
                        "module G_ema: class Discriminator, expected Generator"
                            + " (training.networks_stylegan3.Generator)"),
                msg);
    }

    @Test
    void unknownLayerClassIsNamed() {
        String msg = failure("synthesis.L3_36_16", m -> new Altered(m).className("custom.MyLayer"));
        assertTrue(
                msg.contains(
                        "module G_ema.synthesis.L3_36_16: class custom.MyLayer, expected"
                            + " SynthesisLayer"),
                msg);
    }

    @Test
    void unknownOptionIsNamed() {
        String msg = failure("synthesis", m -> new Altered(m).initKwarg("use_noise", true));
        assertTrue(
                msg.contains("module G_ema.synthesis: unsupported synthesis option 'use_noise'"),
                msg);
    }

    @Test
    void missingBufferIsNamed() {
        String msg = failure("synthesis.L5_52_13", m -> new Altered(m).without("magnitude_ema"));
        assertTrue(
                msg.contains("module G_ema.synthesis.L5_52_13: missing tensor magnitude_ema"), msg);
        msg = failure("synthesis.L2_36_16", m -> new Altered(m).without("down_filter"));
        assertTrue(
                msg.contains(
                        "module G_ema.synthesis.L2_36_16: missing buffer down_filter (12 taps"
                            + " expected)"),
                msg);
    }

    @Test
    void wrongShapeIsNamed() {
        String msg =
                failure("synthesis.L7_52_10", m -> new Altered(m).reshaped("weight", 10, 11, 1, 9));
        assertTrue(
                msg.contains(
                        "module G_ema.synthesis.L7_52_10: tensor weight has shape [10, 11, 1, 9],"
                            + " expected [10, 11, 3, 3]"),
                msg);
        msg = failure("synthesis.input", m -> new Altered(m).reshaped("freqs", 16, 3));
        assertTrue(
                msg.contains(
                        "module G_ema.synthesis.input: tensor freqs has shape [16, 3], expected"
                            + " [16, 2]"),
                msg);
    }

    @Test
    void inconsistentPaddingIsNamed() {
        String msg = failure("synthesis.L0_36_16", m -> new Altered(m).attribute("up_taps", 10));
        assertTrue(
                msg.contains(
                        "module G_ema.synthesis.L0_36_16: stored padding [9, 8, 9, 8] differs from"
                            + " the reference formula's [8, 7, 8, 7]"),
                msg);
    }

    /** A module view with some of its entries replaced. */
    private static final class Altered implements StyleGan3Module {
        private final StyleGan3Module base;
        private String className;
        private final Map<String, Object> initKwargs;
        private final Map<String, Object> attributes;
        private final Map<String, Optional<Stored>> tensors = new HashMap<>();
        private final Map<String, StyleGan3Module> children = new HashMap<>();

        Altered(StyleGan3Module base) {
            this.base = base;
            this.className = base.className();
            this.initKwargs = new HashMap<>(base.initKwargs());
            this.attributes = new HashMap<>(base.attributes());
        }

        /** The root with {@code change} applied to the module at the dotted path. */
        static StyleGan3Module at(
                StyleGan3Module root, String path, UnaryOperator<StyleGan3Module> change) {
            if (path.isEmpty()) {
                return change.apply(root);
            }
            int dot = path.indexOf('.');
            String head = dot < 0 ? path : path.substring(0, dot);
            String rest = dot < 0 ? "" : path.substring(dot + 1);
            Altered a = new Altered(root);
            a.children.put(head, at(root.child(head).orElseThrow(), rest, change));
            return a;
        }

        Altered className(String name) {
            className = name;
            return this;
        }

        Altered initKwarg(String key, Object value) {
            initKwargs.put(key, value);
            return this;
        }

        Altered attribute(String key, Object value) {
            attributes.put(key, value);
            return this;
        }

        Altered without(String tensor) {
            tensors.put(tensor, Optional.empty());
            return this;
        }

        Altered reshaped(String tensor, long... shape) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            float[] values = new float[(int) n];
            tensors.put(tensor, Optional.of(new Stored(shape, () -> values)));
            return this;
        }

        @Override
        public String path() {
            return base.path();
        }

        @Override
        public String className() {
            return className;
        }

        @Override
        public Map<String, Object> initKwargs() {
            return initKwargs;
        }

        @Override
        public Map<String, Object> attributes() {
            return attributes;
        }

        @Override
        public Optional<StyleGan3Module> child(String name) {
            return children.containsKey(name) ? Optional.of(children.get(name)) : base.child(name);
        }

        @Override
        public Optional<Stored> tensor(String name) {
            return tensors.containsKey(name) ? tensors.get(name) : base.tensor(name);
        }
    }
}
