package io.github.clip2latent.examples.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.conditioning.Similarity;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis;
import io.github.clip2latent.convert.stylegan.StyleGan2SynthesisGraphWriter;
import io.github.clip2latent.convert.stylegan.StyleGanPickles;
import io.github.clip2latent.runtime.Generator;
import io.github.clip2latent.runtime.ImageEncoder;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.runtime.TextEncoder;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-ranking on a preview, measured: StyleGAN2's skip-architecture image accumulated up to a lower
 * resolution ranks the candidates, against the ranking on the full-size images. Prints the time of
 * the full and the preview synthesis and how often the preview picks the same winner. On the
 * fixture bundle (32x32, preview 16x16) always; at the paper size (1024, preview 256) when
 * C2L_PAPER_BUNDLE (a bundle of benchmarks/scripts/paper-size-bundle.sh) and C2L_PAPER_PKL (its
 * StyleGAN2 pickle) are set. Random or tiny weights make the agreement figures weak evidence.
 */
class PreviewRerankTest {

    static final List<String> PROMPTS =
            List.of(
                    "an old man",
                    "a smiling woman with red hair",
                    "a child wearing glasses",
                    "a man with a beard and a hat",
                    "a photograph of a happy person wearing sunglasses by the sea",
                    "a sad face in the rain");

    @TempDir Path dir;

    @Test
    void aPreviewReadsTheFirstWsRowsOfTheFullNetwork() throws Exception {
        Path pkl = ImportFixtures.copy("stylegan2/network-snapshot-025000.pkl", dir);
        StyleGan2Synthesis full = StyleGanPickles.readStyleGan2(pkl).synthesis();
        StyleGan2Synthesis same = StyleGan2Preview.truncate(full, full.resolution());
        assertEquals(full.numWs(), same.numWs());
        StyleGan2Synthesis half = StyleGan2Preview.truncate(full, full.resolution() / 2);
        assertEquals(full.numWs() - 2, half.numWs(), "one block (two convolutions) fewer");
    }

    @Test
    @Tag("slow")
    void previewRankingOnTheFixtureBundle() throws Exception {
        Path in = dir.resolve("in");
        Path pkl = ImportFixtures.copy("stylegan2/network-snapshot-025000.pkl", in);
        ModelBundle bundle =
                BundleImporter.importBundle(
                        ImportRequest.builder()
                                .prior(ImportFixtures.copy("prior/prior.ckpt", in))
                                .stylegan(pkl)
                                .clip(ImportFixtures.copy("clip/clip-tiny-vit.pt", in))
                                .output(dir.resolve("bundle"))
                                .build(),
                        ImportProgress.silent());
        measure(bundle.directory(), pkl, 16, 8, 5);
    }

    @Test
    @Tag("slow")
    void previewRankingAtThePaperSize() throws Exception {
        String b = System.getenv("C2L_PAPER_BUNDLE");
        String p = System.getenv("C2L_PAPER_PKL");
        Assumptions.assumeTrue(b != null && p != null, "C2L_PAPER_BUNDLE and C2L_PAPER_PKL not set");
        int candidates = Integer.parseInt(System.getenv().getOrDefault("C2L_PREVIEW_CANDIDATES", "4"));
        int seeds = Integer.parseInt(System.getenv().getOrDefault("C2L_PREVIEW_SEEDS", "1"));
        measure(Path.of(b), Path.of(p), 256, candidates, seeds);
    }

    private void measure(Path bundleDir, Path pkl, int previewSize, int k, int seeds)
            throws Exception {
        StyleGan2Synthesis preview =
                StyleGan2Preview.truncate(StyleGanPickles.readStyleGan2(pkl).synthesis(), previewSize);
        Path previewGraph = dir.resolve("preview.onnx");
        StyleGan2SynthesisGraphWriter.write(preview, "preview", previewGraph);
        Map<String, Integer> previewNoise = StyleGan2SynthesisGraphWriter.noiseInputs(preview);
        RuntimeOptions options = RuntimeOptions.cpu().withIntraOpThreads(2);
        SessionFactory sessions = new SessionFactory(options);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ModelBundle bundle = ModelBundle.open(bundleDir);
        int numWs = bundle.manifest().numWs();
        int dim = bundle.manifest().latentDim();
        int size = bundle.manifest().imageSize();
        int c = bundle.manifest().embeddingDim();
        int pw = preview.numWs();
        long fullNanos = 0;
        long previewNanos = 0;
        int same = 0;
        int groups = 0;
        try (Clip2Latent model = Clip2Latent.load(bundleDir, options);
                TextEncoder text = TextEncoder.open(bundle, sessions);
                ImageEncoder images = ImageEncoder.open(bundle, sessions);
                Generator generator = Generator.open(bundle, sessions);
                OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(2);
            try (OrtSession previewSession = env.createSession(previewGraph.toString(), so)) {
                for (String prompt : PROMPTS) {
                    float[] cond = text.encode(List.of(prompt));
                    for (int seed = 0; seed < seeds; seed++) {
                        // The candidates' ws, as best-of-k draws them (one request, k samples).
                        SampleResult r = model.prompt(prompt).samples(k).seed(seed).sample();
                        float[] ws = r.ws();
                        long t0 = System.nanoTime();
                        float[] full = generator.synthesize(ws, k);
                        long t1 = System.nanoTime();
                        float[] small =
                                runPreview(
                                        env, previewSession, ws, k, numWs, pw, dim, previewNoise);
                        long t2 = System.nanoTime();
                        fullNanos += t1 - t0;
                        previewNanos += t2 - t1;
                        int bestFull = best(images.encode(full, k, size, size), cond, k, c);
                        int bestPreview =
                                best(images.encode(small, k, previewSize, previewSize), cond, k, c);
                        same += bestFull == bestPreview ? 1 : 0;
                        groups++;
                    }
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "preview re-ranking %dpx -> %dpx preview, best of %d, %d groups: same winner %d/%d"
                        + " (%.0f%%); synthesis %.1f ms full vs %.1f ms preview per candidate"
                        + " (%.2fx)%n",
                size,
                previewSize,
                k,
                groups,
                same,
                groups,
                100.0 * same / groups,
                fullNanos / 1e6 / (groups * k),
                previewNanos / 1e6 / (groups * k),
                (double) fullNanos / previewNanos);
        assertTrue(groups > 0 && same >= 0);
    }

    private static float[] runPreview(
            OrtEnvironment env,
            OrtSession session,
            float[] ws,
            int rows,
            int numWs,
            int pw,
            int dim,
            Map<String, Integer> noise)
            throws Exception {
        float[] head = new float[rows * pw * dim];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(ws, r * numWs * dim, head, r * pw * dim, pw * dim);
        }
        // The stored constant noise, as Generator.synthesize(ws, rows) uses for the full images.
        Map<String, OnnxTensor> feed = new java.util.HashMap<>();
        try {
            feed.put(
                    "ws",
                    OnnxTensor.createTensor(env, FloatBuffer.wrap(head), new long[] {rows, pw, dim}));
            for (Map.Entry<String, Integer> e : noise.entrySet()) {
                int r = e.getValue();
                feed.put(
                        e.getKey(),
                        OnnxTensor.createTensor(
                                env, FloatBuffer.wrap(new float[rows * r * r]), new long[] {rows, 1, r, r}));
            }
            feed.put(
                    StyleGan2SynthesisGraphWriter.INPUT_NOISE_CONST_SCALE,
                    OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {1f}), new long[] {1}));
            try (OrtSession.Result out = session.run(feed)) {
                FloatBuffer b = ((OnnxTensor) out.get(0)).getFloatBuffer();
                float[] img = new float[b.remaining()];
                b.get(img);
                return img;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private static int best(float[] embeds, float[] cond, int k, int c) {
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            double s = Similarity.cosine(embeds, i * c, cond, 0, c);
            if (s > bestScore) {
                bestScore = s;
                best = i;
            }
        }
        return best;
    }
}
