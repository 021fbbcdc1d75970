package io.github.clip2latent.examples.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SynthesisNoise;
import io.github.clip2latent.SampleRequest;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.bundle.TensorSpec;
import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.runtime.Generator;
import io.github.clip2latent.runtime.NoiseBuffers;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The StyleGAN2 fixture pickle ({@code /reference/stylegan2}) through the importer: the bundle's
 * synthesis takes the noise inputs, and the runtime's three noise modes give the reference's {@code
 * const}, {@code none} and (with the recorded draws) {@code random} images.
 */
class ImportedNoiseTest {

    private static final String[] LAYERS = {
        "b4.conv1", "b8.conv0", "b8.conv1", "b16.conv0", "b16.conv1", "b32.conv0", "b32.conv1"
    };

    @TempDir static Path dir;
    static ModelBundle bundle;
    static Clip2Latent model;

    @BeforeAll
    static void importTheFixtures() throws IOException {
        bundle =
                BundleImporter.importBundle(
                        ImportFixtures.stylegan2Request(dir)
                                .build(),
                        ImportProgress.silent());
        model = Clip2Latent.load(bundle.directory(), RuntimeOptions.cpu().withIntraOpThreads(1));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void theManifestDeclaresTheNoiseInputsAndTheGraphHasNoDefaultsForThem() throws IOException {
        List<String> names =
                bundle.manifest().stage(Stage.SYNTHESIS).inputs().stream()
                        .map(TensorSpec::name)
                        .toList();
        List<String> want = new java.util.ArrayList<>(List.of("ws"));
        want.addAll(List.of(LAYERS));
        want.add("noise_const_scale");
        assertEquals(want, names);
        OnnxMl.GraphProto graph =
                OnnxMl.ModelProto.parseFrom(Files.readAllBytes(bundle.stageFile(Stage.SYNTHESIS)))
                        .getGraph();
        Set<String> initialized = new HashSet<>();
        graph.getInitializerList().forEach(t -> initialized.add(t.getName()));
        for (String name : names) {
            assertFalse(initialized.contains(name), name + " has an initializer");
        }
    }

    @Test
    void constNoneAndRecordedRandomNoiseMatchTheReference() throws IOException {
        float[] ws = ref("ws.npy");
        int rows = 3;
        try (Generator g =
                Generator.open(
                        bundle, new SessionFactory(RuntimeOptions.cpu().withIntraOpThreads(1)))) {
            assertArrayEquals(new int[] {4, 8, 8, 16, 16, 32, 32}, g.noiseResolutions());
            int[] res = g.noiseResolutions();
            assertClose(
                    "const",
                    g.synthesize(ws, rows, NoiseBuffers.zeros(res, rows, 1f)),
                    ref("img_const.npy"));
            assertClose("const (ws alone)", g.synthesize(ws, rows), ref("img_const.npy"));
            assertClose(
                    "none",
                    g.synthesize(ws, rows, NoiseBuffers.zeros(res, rows, 0f)),
                    ref("img_none.npy"));
            float[][] draws = new float[LAYERS.length][];
            for (int i = 0; i < LAYERS.length; i++) {
                draws[i] =
                        ref(
                                String.format(
                                        "noise_random_%02d_%s.npy",
                                        i, LAYERS[i].replace('.', '_')));
            }
            NoiseBuffers recorded = NoiseBuffers.allocate(res, rows);
            recorded.set(draws, rows, 0f);
            assertClose(
                    "random (recorded draws)",
                    g.synthesize(ws, rows, recorded),
                    ref("img_random.npy"));
        }
    }

    @Test
    void randomNoiseFollowsTheSeedAndTheModesDiffer() {
        SampleRequest.Builder r = model.prompt("an old man").seed(7);
        SampleResult random1 = model.sample(r.build());
        SampleResult random2 = model.sample(r.build());
        SampleResult otherSeed = model.sample(r.seed(8).build());
        SampleResult constant = model.sample(r.seed(7).noise(SynthesisNoise.CONST).build());
        SampleResult none = model.sample(r.seed(7).noise(SynthesisNoise.NONE).build());
        assertEquals(SynthesisNoise.RANDOM, SampleRequest.builder().prompt("x").build().noise());
        assertArrayEquals(random1.pixels(), random2.pixels(), "same seed, same noise");
        assertFalse(Arrays.equals(random1.pixels(), otherSeed.pixels()), "another seed");
        assertFalse(Arrays.equals(random1.pixels(), constant.pixels()), "random vs const");
        assertFalse(Arrays.equals(random1.pixels(), none.pixels()), "random vs none");
        assertFalse(Arrays.equals(constant.pixels(), none.pixels()), "const vs none");
        // The synthesis noise has its own stream: the prior's draws, hence w, do not change.
        assertArrayEquals(random1.w(), constant.w());
        assertArrayEquals(random1.w(), none.w());
        // With the same w, const is the stored noise: the Generator's ws-alone synthesis.
        assertTrue(constant.request().describe().contains("noise=const"));
        assertFalse(random1.request().describe().contains("noise="));
    }

    @Test
    void theChunkSizeDoesNotChangeTheNoise() {
        // DDIM draws only x_T, row after row, so the prior is chunk-independent too and the whole
        // image must be: a row's synthesis noise may not depend on the chunk it falls in.
        SampleRequest.Builder r =
                model.prompt("an old man").seed(11).sampler(SamplerKind.DDIM).samples(5);
        SampleResult one = model.sample(r.chunkRows(1).build());
        SampleResult two = model.sample(r.chunkRows(2).build());
        SampleResult all = model.sample(r.chunkRows(16).build());
        assertArrayEquals(all.w(), one.w(), "the prior's draws");
        assertArrayEquals(all.pixels(), one.pixels(), "chunkRows 1 vs 16");
        assertArrayEquals(all.pixels(), two.pixels(), "chunkRows 2 vs 16");
        // ... and the rows differ from each other (each row has its own draws).
        int px = 3 * 32 * 32;
        assertFalse(
                Arrays.equals(
                        Arrays.copyOfRange(all.pixels(), 0, px),
                        Arrays.copyOfRange(all.pixels(), px, 2 * px)));
    }

    @Test
    void theSampleCommandTakesTheNoiseMode() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream po =
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        java.io.PrintStream pe =
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8);
        java.util.Map<String, byte[]> images = new java.util.HashMap<>();
        for (String mode : new String[] {"const", "none", "random", "RANDOM"}) {
            Path png = dir.resolve("cli-" + mode + ".png");
            int code =
                    io.github.clip2latent.examples.cli.Clip2LatentCommand.run(
                            new String[] {
                                "sample",
                                "--bundle",
                                bundle.directory().toString(),
                                "--seed",
                                "5",
                                "--noise",
                                mode,
                                "--out",
                                png.toString(),
                                "an old man"
                            },
                            po,
                            pe);
            assertEquals(0, code, err.toString(java.nio.charset.StandardCharsets.UTF_8));
            images.put(mode, Files.readAllBytes(png));
        }
        assertFalse(Arrays.equals(images.get("const"), images.get("none")));
        assertFalse(Arrays.equals(images.get("const"), images.get("random")));
        assertArrayEquals(images.get("random"), images.get("RANDOM"));
        assertEquals(
                2,
                io.github.clip2latent.examples.cli.Clip2LatentCommand.run(
                        new String[] {"sample", "--noise", "loud", "x"}, po, pe));
        assertTrue(
                err.toString(java.nio.charset.StandardCharsets.UTF_8).contains("--noise"),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
        out.reset();
        assertEquals(
                0,
                io.github.clip2latent.examples.cli.Clip2LatentCommand.run(
                        new String[] {"sample", "--help"}, po, pe));
        String help = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(help.contains("--noise=MODE") && help.contains("const"), help);
    }

    /**
     * Why the importer no longer bakes the noise in: a graph whose noise inputs have initializers
     * of the same name (ONNX overridable initializers, the old importer's defaults) cannot be fed
     * from ONNX Runtime's Java API, which lists only inputs without an initializer.
     */
    @Test
    void onnxRuntimeJavaCannotFeedInputsWithInitializers() throws Exception {
        OnnxMl.ModelProto.Builder proto =
                OnnxMl.ModelProto.parseFrom(Files.readAllBytes(bundle.stageFile(Stage.SYNTHESIS)))
                        .toBuilder();
        var graph = proto.getGraphBuilder();
        graph.addInitializer(
                OnnxMl.TensorProto.newBuilder()
                        .setName("noise_const_scale")
                        .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
                        .addDims(1)
                        .addFloatData(1f));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(proto.build().toByteArray(), o);
                OnnxTensor scale =
                        OnnxTensor.createTensor(
                                env, FloatBuffer.wrap(new float[] {0f}), new long[] {1})) {
            assertFalse(session.getInputNames().contains("noise_const_scale"));
            OrtException e =
                    assertThrows(
                            OrtException.class,
                            () -> session.run(Map.of("noise_const_scale", scale)));
            System.out.println(
                    "ONNX Runtime Java on an input with an initializer: " + e.getMessage());
        }
    }

    private static float[] ref(String name) throws IOException {
        try (InputStream in =
                ImportedNoiseTest.class.getResourceAsStream("/reference/stylegan2/" + name)) {
            Path f = dir.resolve(name);
            if (!Files.exists(f)) {
                Files.copy(in, f);
            }
            return Npy.read(f).data();
        }
    }

    /** Max abs error relative to the golden's max abs value, at most 1e-4. */
    private static void assertClose(String what, float[] got, float[] want) {
        assertEquals(want.length, got.length, what);
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < want.length; i++) {
            diff = Math.max(diff, Math.abs(got[i] - want[i]));
            scale = Math.max(scale, Math.abs(want[i]));
        }
        System.out.printf("noise %s: relative error %.2e%n", what, diff / scale);
        assertTrue(diff / scale <= 1e-4, what + ": relative error " + diff / scale);
    }
}
