package io.github.clip2latent.examples.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.RerankMode;
import io.github.clip2latent.SampleRequest;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis;
import io.github.clip2latent.convert.stylegan.StyleGanPickles;
import io.github.clip2latent.runtime.Generator;
import io.github.clip2latent.runtime.NoiseBuffers;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-ranking on a preview ({@link RerankMode#PREVIEW}), measured through the request API: how often
 * best-of-k on previews picks the candidate best-of-k on full-size images picks (same seed, so the
 * same k candidates), the synthesis time per candidate at full size and as a preview (batches of k,
 * interleaved), and the end-to-end time of best-of-16 with PREVIEW against one sample (interleaved
 * rounds). On the imported fixture (32 px, 16 px preview) under {@code -Pslow}; at the paper size
 * (1024, 256 preview) when C2L_PAPER_BUNDLE names a bundle imported by this version (with its
 * {@code synthesisPreview} stage). Random or tiny weights make the agreement figures weak evidence.
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
        assertTrue(StyleGan2Preview.supports(full));
        StyleGan2Synthesis same = StyleGan2Preview.truncate(full, full.resolution());
        assertEquals(full.numWs(), same.numWs());
        StyleGan2Synthesis half = StyleGan2Preview.truncate(full, full.resolution() / 2);
        assertEquals(full.numWs() - 2, half.numWs(), "one block (two convolutions) fewer");
    }

    @Test
    @Tag("slow")
    void previewRankingOnTheFixtureBundle() throws Exception {
        ModelBundle bundle =
                BundleImporter.importBundle(
                        ImportFixtures.stylegan2Request(dir)
                                .build(),
                        ImportProgress.silent());
        measure(bundle.directory(), 24, 8, 3);
    }

    @Test
    @Tag("slow")
    void previewRankingAtThePaperSize() throws Exception {
        String b = System.getenv("C2L_PAPER_BUNDLE");
        Assumptions.assumeTrue(b != null, "C2L_PAPER_BUNDLE not set");
        measure(
                Path.of(b),
                Integer.parseInt(System.getenv().getOrDefault("C2L_PREVIEW_GROUPS", "8")),
                Integer.parseInt(System.getenv().getOrDefault("C2L_PREVIEW_CANDIDATES", "4")),
                Integer.parseInt(System.getenv().getOrDefault("C2L_PREVIEW_ROUNDS", "2")));
    }

    private static void measure(Path bundleDir, int groups, int k, int rounds) throws Exception {
        RuntimeOptions options = RuntimeOptions.cpu().withIntraOpThreads(2);
        ModelBundle bundle = ModelBundle.open(bundleDir);
        int numWs = bundle.manifest().numWs();
        int dim = bundle.manifest().latentDim();
        int size = bundle.manifest().imageSize();
        int d = numWs * dim;
        try (Clip2Latent model = Clip2Latent.load(bundleDir, options)) {
            // 1. Agreement: the same k candidates (same seed) ranked both ways.
            int same = 0;
            long fullSynthesis = 0;
            long previewSynthesis = 0;
            float[] winners = new float[groups * d];
            for (int g = 0; g < groups; g++) {
                SampleRequest r =
                        model.prompt(PROMPTS.get(g % PROMPTS.size()))
                                .seed(100 + g)
                                .candidates(k)
                                .build();
                SampleResult full = model.sample(r);
                SampleResult preview =
                        model.sample(r.toBuilder().rerank(RerankMode.PREVIEW).build());
                assertEquals(RerankMode.PREVIEW, preview.rankedBy());
                boolean agree = Arrays.equals(full.ws(), preview.ws());
                same += agree ? 1 : 0;
                fullSynthesis += full.timings().synthesisNanos();
                previewSynthesis += preview.timings().synthesisNanos();
                System.arraycopy(full.ws(), 0, winners, g * d, d);
                System.out.printf(
                        Locale.ROOT,
                        "group %d (%s, seed %d): %s; synthesis %.0f ms full (%d images) vs %.0f ms"
                                + " preview (%d previews + 1 image)%n",
                        g,
                        PROMPTS.get(g % PROMPTS.size()),
                        100 + g,
                        agree ? "same winner" : "different winner",
                        full.timings().synthesisNanos() / 1e6,
                        k,
                        preview.timings().synthesisNanos() / 1e6,
                        k);
            }

            // 2. Synthesis per candidate, batches of k, full and preview interleaved.
            long fullNanos = 0;
            long previewNanos = 0;
            int batches = 0;
            try (Generator generator = Generator.open(bundle, new SessionFactory(options))) {
                int p = generator.previewSize();
                NoiseBuffers noise = NoiseBuffers.allocate(generator.noiseResolutions(), k);
                SplittableRandom random = new SplittableRandom(1);
                for (int at = 0; at + k <= groups; at += k) {
                    float[] ws = Arrays.copyOfRange(winners, at * d, (at + k) * d);
                    noise.fillNormal(random, k);
                    long t0 = System.nanoTime();
                    generator.synthesize(ws, k, noise);
                    long t1 = System.nanoTime();
                    generator.synthesizePreview(ws, k, noise);
                    long t2 = System.nanoTime();
                    fullNanos += t1 - t0;
                    previewNanos += t2 - t1;
                    batches++;
                }
                System.out.printf(
                        Locale.ROOT,
                        "preview re-ranking %dpx -> %dpx preview, best of %d, %d groups: same"
                            + " winner %d/%d (%.0f%%; chance %.0f%%)%n",
                        size,
                        p,
                        k,
                        groups,
                        same,
                        groups,
                        100.0 * same / groups,
                        100.0 / k);
                if (batches > 0) {
                    System.out.printf(
                            Locale.ROOT,
                            "synthesis per candidate (%d batches of %d): %.1f ms full vs %.1f ms"
                                    + " preview (%.2fx)%n",
                            batches,
                            k,
                            fullNanos / 1e6 / (batches * k),
                            previewNanos / 1e6 / (batches * k),
                            (double) fullNanos / previewNanos);
                }
                System.out.printf(
                        Locale.ROOT,
                        "request synthesis time over the %d groups: FULL %.0f ms, PREVIEW %.0f ms"
                                + " (%.2fx)%n",
                        groups,
                        fullSynthesis / 1e6,
                        previewSynthesis / 1e6,
                        (double) fullSynthesis / previewSynthesis);
            }

            // 3. End to end: one sample against best-of-16 on previews, interleaved rounds.
            for (int round = 0; round < rounds; round++) {
                String prompt = PROMPTS.get(round % PROMPTS.size());
                SampleResult one = model.prompt(prompt).seed(200 + round).sample();
                SampleResult best =
                        model.prompt(prompt)
                                .seed(200 + round)
                                .candidates(16)
                                .rerank(RerankMode.PREVIEW)
                                .sample();
                System.out.printf(
                        Locale.ROOT,
                        "round %d: one sample %.0f ms (%s); best of 16 on previews %.0f ms (%s):"
                                + " %.2fx%n",
                        round,
                        one.timings().totalNanos() / 1e6,
                        one.timings(),
                        best.timings().totalNanos() / 1e6,
                        best.timings(),
                        (double) best.timings().totalNanos() / one.timings().totalNanos());
            }
            assertTrue(same >= 0 && same <= groups);
        }
    }
}
