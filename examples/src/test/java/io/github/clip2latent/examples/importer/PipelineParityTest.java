package io.github.clip2latent.examples.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.NormalizationMode;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.conditioning.Similarity;
import io.github.clip2latent.convert.RelativeError;
import io.github.clip2latent.diffusion.ClassifierFreeGuidance;
import io.github.clip2latent.diffusion.DdpmSampler;
import io.github.clip2latent.diffusion.RecordedNoise;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;
import io.github.clip2latent.runtime.Generator;
import io.github.clip2latent.runtime.ImageEncoder;
import io.github.clip2latent.runtime.NoiseBuffers;
import io.github.clip2latent.runtime.PriorNetwork;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.runtime.TextEncoder;
import io.github.clip2latent.schedule.NoiseSchedule;
import io.github.clip2latent.schedule.SamplingPlan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole clip2latent pipeline on a bundle imported from the fixture files, against the
 * reference run in {@code /reference/pipeline} (its MANIFEST.md): prompt -> tokens -> text
 * embedding -> prior with the recorded noise -> w -> ws -> synthesis with the recorded noise ->
 * images -> CLIP similarities and the re-ranking order, each intermediate to 1e-4 relative to the
 * largest reference value (images 1e-3), with the reference's double normalization. Each stage is
 * the runtime's own class opened on the imported bundle; the synthesis with recorded noise runs
 * the bundle's synthesis graph in an ONNX Runtime session fed the noise inputs (the runtime's
 * Generator feeds ws alone, which gives the {@code noise_mode='const'} images, also compared).
 */
class PipelineParityTest {

    static final String PROMPT = "a photograph of a happy person wearing sunglasses by the sea";
    static final int B = 3;
    static final float GUIDANCE = 2.0f;
    static final int SKIP = 250;

    @TempDir static Path dir;
    static ModelBundle bundle;
    static SessionFactory sessions;

    @BeforeAll
    static void importFixtures() throws IOException {
        bundle =
                BundleImporter.importBundle(
                        ImportFixtures.stylegan2Request(dir)
                                .normalization(NormalizationMode.REFERENCE_DOUBLE)
                                .build(),
                        ImportProgress.silent());
        sessions = new SessionFactory(RuntimeOptions.cpu());
    }

    static NpyArray ref(String name) throws IOException {
        try (InputStream s =
                PipelineParityTest.class.getResourceAsStream("/reference/pipeline/" + name)) {
            Path f = Files.createTempFile(dir, "ref", ".npy");
            Files.copy(s, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return Npy.read(f);
        }
    }

    /** An int64 {@code .npy} (format 1.0, little-endian '<i8', C order) of the reference run. */
    static long[] longs(String name) throws IOException {
        byte[] bytes;
        try (InputStream s =
                PipelineParityTest.class.getResourceAsStream("/reference/pipeline/" + name)) {
            bytes = s.readAllBytes();
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int headerLength = Short.toUnsignedInt(b.getShort(8));
        String header = new String(bytes, 10, headerLength, java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(header.contains("'<i8'") && header.contains("'fortran_order': False"), header);
        int start = 10 + headerLength;
        long[] out = new long[(bytes.length - start) / 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getLong(start + 8 * i);
        }
        return out;
    }

    static void assertClose(String what, float[] got, float[] want, double tolerance) {
        double r = RelativeError.of(want, got);
        System.out.printf("parity %-28s relative error %.3g%n", what, r);
        assertTrue(r <= tolerance, what + ": relative error " + r + " > " + tolerance);
    }

    static float[] slice(float[] a, int from, int count) {
        float[] out = new float[count];
        System.arraycopy(a, from, out, 0, count);
        return out;
    }

    @Test
    void everyStageMatchesTheReferenceRun() throws Exception {
        int dim = bundle.manifest().latentDim();
        int numWs = bundle.manifest().numWs();
        int size = bundle.manifest().imageSize();
        int c = bundle.manifest().embeddingDim();

        // prompt -> tokens -> text embedding
        float[] text;
        try (TextEncoder te = TextEncoder.open(bundle, sessions)) {
            long[] tokens = te.tokenizer().tokenizeBatch(List.of(PROMPT));
            assertArrayEquals(longs("tokens.npy"), tokens, "tokens");
            text = te.encode(List.of(PROMPT));
        }
        assertClose("text embedding", text, ref("text_embeds.npy").data(), 1e-4);
        float[] cond = new float[B * c];
        for (int r = 0; r < B; r++) {
            System.arraycopy(text, 0, cond, r * c, c);
        }
        assertClose("condition", cond, ref("cond.npy").data(), 1e-4);

        // prior with the recorded noise, step by step
        NoiseSchedule schedule =
                NoiseSchedule.of(bundle.manifest().betaSchedule(), bundle.manifest().timesteps());
        SamplingPlan plan = SamplingPlan.referenceSkip(schedule, SKIP);
        long[] visited = longs("prior_t.npy");
        assertEquals(visited.length, plan.steps(), "steps");
        for (int k = 0; k < visited.length; k++) {
            assertEquals(visited[k], plan.timestep(plan.steps() - 1 - k), "timestep of step " + k);
        }
        RecordedNoise noise =
                new RecordedNoise(
                        ref("prior_x_init.npy").data(), ref("prior_noise.npy").data(), B * dim);
        float[] wantX0 = ref("prior_x0.npy").data();
        float[] wantX = ref("prior_x.npy").data();
        float[] x = new float[B * dim];
        List<String> failures = new ArrayList<>();
        try (PriorNetwork prior = PriorNetwork.open(bundle, sessions);
                PriorNetwork.Runner runner = prior.newRunner()) {
            DdpmSampler.INSTANCE.sample(
                    plan,
                    ClassifierFreeGuidance.of(runner, GUIDANCE, cond, B),
                    x,
                    B,
                    dim,
                    noise,
                    (k, j, x0, xk) -> {
                        double r0 = RelativeError.of(slice(wantX0, k * B * dim, B * dim), x0);
                        double r1 = RelativeError.of(slice(wantX, k * B * dim, B * dim), xk);
                        System.out.printf(
                                "parity prior step %d (t=%d): x0 %.3g, x %.3g%n",
                                k, visited[k], r0, r1);
                        if (r0 > 1e-4 || r1 > 1e-4) {
                            failures.add("step " + k + ": x0 " + r0 + ", x " + r1);
                        }
                    });
        }
        assertEquals(List.of(), failures, "prior steps within 1e-4");

        // w = x std + mean (truncation 1), ws
        LatentStats stats = bundle.latentStats();
        stats.denormalizeInPlace(x, B);
        assertClose("w", x, ref("w.npy").data(), 1e-4);
        float[] ws = LayeredLatents.broadcast(x, B, numWs, dim);
        assertClose("ws", ws, ref("ws.npy").data(), 1e-4);

        // synthesis with the recorded noise (the bundle's graph, noise inputs fed)
        float[] images = synthesizeWithNoise(ws, numWs, dim);
        assertClose("images (random noise)", images, ref("images.npy").data(), 1e-3);
        // ... and through the runtime's Generator: ws alone gives noise_mode='const'
        try (Generator g = Generator.open(bundle, sessions)) {
            assertClose(
                    "images (const noise)",
                    g.synthesize(ref("ws.npy").data(), B),
                    ref("images_const.npy").data(),
                    1e-3);
            // A smaller batch after a larger one: the same zero noise buffers, fewer rows.
            int rowWs = numWs * dim;
            int rowPixels = ref("images_const.npy").data().length / B;
            assertClose(
                    "images (const noise), last row alone",
                    g.synthesize(
                            Arrays.copyOfRange(ref("ws.npy").data(), (B - 1) * rowWs, B * rowWs),
                            1),
                    Arrays.copyOfRange(
                            ref("images_const.npy").data(), (B - 1) * rowPixels, B * rowPixels),
                    1e-3);
        }

        // CLIP re-ranking with the reference's double normalization
        float[] embeds;
        float[] embedsConst;
        try (ImageEncoder ie = ImageEncoder.open(bundle, sessions)) {
            assertEquals(NormalizationMode.REFERENCE_DOUBLE, ie.preprocessing().mode());
            embeds = ie.encode(images, B, size, size);
            embedsConst = ie.encode(ref("images_const.npy").data(), B, size, size);
        }
        assertClose("image embeddings", embeds, ref("image_embeds.npy").data(), 1e-4);
        assertClose(
                "image embeddings (const)",
                embedsConst,
                ref("image_embeds_const.npy").data(),
                1e-4);
        float[] sim = new float[B];
        for (int r = 0; r < B; r++) {
            sim[r] = (float) Similarity.cosine(embeds, r * c, cond, r * c, c);
        }
        assertClose("similarity", sim, ref("similarity.npy").data(), 1e-4);
        Integer[] order = {0, 1, 2};
        java.util.Arrays.sort(order, (a, b) -> Float.compare(sim[b], sim[a]));
        long[] wantOrder = longs("order.npy");
        for (int i = 0; i < B; i++) {
            assertEquals(wantOrder[i], (long) order[i], "re-ranking order " + i);
        }
    }

    /**
     * The bundle's synthesis through the runtime's {@link Generator}, fed the reference's recorded
     * draws per noise layer with the stored constant noise weighed 0 ({@code noise_mode='random'}).
     */
    private static float[] synthesizeWithNoise(float[] ws, int numWs, int dim) throws IOException {
        String[] layers = {
            "b4.conv1", "b8.conv0", "b8.conv1", "b16.conv0", "b16.conv1", "b32.conv0", "b32.conv1"
        };
        try (Generator g = Generator.open(bundle, sessions)) {
            float[][] draws = new float[layers.length][];
            for (int i = 0; i < layers.length; i++) {
                draws[i] =
                        ref(String.format(
                                        "synthesis_noise_%02d_%s.npy",
                                        i, layers[i].replace('.', '_')))
                                .data();
            }
            NoiseBuffers noise = NoiseBuffers.allocate(g.noiseResolutions(), B);
            noise.set(draws, B, 0f);
            return g.synthesize(ws, B, noise);
        }
    }
}
