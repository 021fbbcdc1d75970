package io.github.clip2latent.examples.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SynthesisNoise;
import io.github.clip2latent.RerankMode;
import io.github.clip2latent.SampleRequest;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.BundleWriter;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.bundle.StageSpec;
import io.github.clip2latent.bundle.TensorSpec;
import io.github.clip2latent.examples.cli.Clip2LatentCommand;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.runtime.Generator;
import io.github.clip2latent.runtime.NoiseBuffers;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-ranking on a preview ({@link RerankMode#PREVIEW}) with the fixture StyleGAN2 (32 px, skip
 * architecture) imported: the importer writes its synthesis stopped at 16 px, the request ranks the
 * candidates on those previews and renders only the winners at full size, with the ws and noise of
 * their candidates.
 */
class PreviewRerankingTest {

    private static final int PX = 3 * 32 * 32;

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
    void theImporterWritesThePreviewStageAtHalfTheResolution() throws IOException {
        var m = bundle.manifest();
        assertTrue(m.hasStage(Stage.SYNTHESIS_PREVIEW));
        StageSpec preview = m.stage(Stage.SYNTHESIS_PREVIEW);
        assertEquals("synthesisPreview.onnx", preview.file());
        assertEquals(
                List.of(
                        "ws",
                        "b4.conv1",
                        "b8.conv0",
                        "b8.conv1",
                        "b16.conv0",
                        "b16.conv1",
                        "noise_const_scale"),
                preview.inputs().stream().map(TensorSpec::name).toList());
        // b4 (conv1), b8 and b16 (conv0, conv1), and b16's ToRGB reads row 5: 6 rows of 8.
        assertArrayEquals(new long[] {-1, 6, 64}, preview.inputs().get(0).shape());
        assertArrayEquals(new long[] {-1, 3, 16, 16}, preview.outputs().get(0).shape());
        assertEquals("16", m.provenance().get("synthesis.preview"));
        // BundleWriter.basedOn keeps it, and the manifest round-trips.
        ModelBundle copy = BundleWriter.basedOn(bundle, dir.resolve("copy")).id("copy").write();
        assertEquals(preview, copy.manifest().stage(Stage.SYNTHESIS_PREVIEW));
        assertArrayEquals(
                Files.readAllBytes(bundle.stageFile(Stage.SYNTHESIS_PREVIEW)),
                Files.readAllBytes(copy.stageFile(Stage.SYNTHESIS_PREVIEW)));
    }

    @Test
    void thePreviewReadsOnlyTheNoiseOfItsLayers() throws BundleException {
        float[] ws = new float[2 * 8 * 64];
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < ws.length; i++) {
            ws[i] = (float) random.nextGaussian();
        }
        try (Generator g =
                Generator.open(
                        bundle, new SessionFactory(RuntimeOptions.cpu().withIntraOpThreads(1)))) {
            assertTrue(g.hasPreview());
            assertEquals(16, g.previewSize());
            NoiseBuffers a = NoiseBuffers.allocate(g.noiseResolutions(), 2);
            a.fillNormal(new SplittableRandom(1), 2);
            float[][] layers = new float[a.layerCount()][];
            for (int i = 0; i < layers.length; i++) {
                layers[i] = a.values(i);
            }
            float[] previewA = g.synthesizePreview(ws, 2, a);
            assertEquals(2 * 3 * 16 * 16, previewA.length);
            // New draws for the two 32 px layers only: the preview must not change.
            NoiseBuffers b = NoiseBuffers.allocate(g.noiseResolutions(), 2);
            layers[5] = new float[layers[5].length];
            layers[6] = new float[layers[6].length];
            b.set(layers, 2, 0f);
            assertArrayEquals(previewA, g.synthesizePreview(ws, 2, b));
            assertFalse(Arrays.equals(g.synthesize(ws, 2, a), g.synthesize(ws, 2, b)));
            // New draws for a 16 px layer: it must.
            layers[4] = new float[layers[4].length];
            b.set(layers, 2, 0f);
            assertFalse(Arrays.equals(previewA, g.synthesizePreview(ws, 2, b)));
            // The ws rows after the preview's are not read.
            float[] changed = ws.clone();
            for (int r = 0; r < 2; r++) {
                for (int k = 6 * 64; k < 8 * 64; k++) {
                    changed[r * 8 * 64 + k] += 1f;
                }
            }
            assertArrayEquals(previewA, g.synthesizePreview(changed, 2, a));
        }
    }

    /**
     * The winners of a preview ranking, rendered at full size, equal the full-path renders of the
     * same candidates (same ws, same noise): the request's candidates as separate images, which
     * draw the same prior and synthesis noise row for row.
     */
    @Test
    void winnersEqualTheFullPathRenderOfTheirCandidates() {
        for (SynthesisNoise noise : SynthesisNoise.values()) {
            SampleRequest preview =
                    model.prompt("an old man")
                            .seed(21)
                            .samples(3)
                            .candidates(4)
                            .noise(noise)
                            .rerank(RerankMode.PREVIEW)
                            .build();
            SampleResult ranked = model.sample(preview);
            assertEquals(RerankMode.PREVIEW, ranked.rankedBy());
            assertTrue(ranked.request().describe().contains("rerank=preview"));
            SampleResult all =
                    model.sample(
                            preview.toBuilder()
                                    .samples(12)
                                    .candidates(1)
                                    .rerank(RerankMode.FULL)
                                    .build());
            float[] pixels = ranked.pixels();
            float[] allPixels = all.pixels();
            double worst = 0;
            for (int i = 0; i < 3; i++) {
                int chosen = candidateWithWs(all, ranked, i);
                assertTrue(chosen / 4 == i, noise + ": image " + i + " took candidate " + chosen);
                double scale = 0;
                double diff = 0;
                for (int k = 0; k < PX; k++) {
                    scale = Math.max(scale, Math.abs(allPixels[chosen * PX + k]));
                    diff =
                            Math.max(
                                    diff,
                                    Math.abs(pixels[i * PX + k] - allPixels[chosen * PX + k]));
                }
                worst = Math.max(worst, diff / scale);
                assertEquals(all.clipScores()[chosen], ranked.clipScores()[i], 1e-4f);
            }
            System.out.printf(
                    "preview ranking, noise %s: winners vs full-path renders, relative error"
                        + " %.2e%n",
                    noise, worst);
            assertTrue(worst <= 1e-5, noise + ": relative error " + worst);
        }
    }

    /**
     * With one candidate nothing is ranked: PREVIEW renders exactly what FULL renders. With
     * several, FULL and PREVIEW agree whenever their winners are the same candidate; how often that
     * happens on these tiny random weights is printed, not asserted (docs/benchmarks.md has the
     * paper-size figures).
     */
    @Test
    void previewAndFullAgreeWhereTheyChooseTheSameCandidate() {
        SampleRequest one = model.prompt("a smiling woman").seed(3).samples(2).build();
        SampleResult full1 = model.sample(one);
        SampleResult preview1 = model.sample(one.toBuilder().rerank(RerankMode.PREVIEW).build());
        assertEquals(RerankMode.FULL, preview1.rankedBy());
        assertArrayEquals(full1.pixels(), preview1.pixels());

        int same = 0;
        int groups = 0;
        for (long seed = 0; seed < 4; seed++) {
            SampleRequest r =
                    model.prompt("a child wearing glasses")
                            .seed(seed)
                            .samples(2)
                            .candidates(4)
                            .build();
            SampleResult full = model.sample(r);
            SampleResult preview = model.sample(r.toBuilder().rerank(RerankMode.PREVIEW).build());
            int d = 8 * 64;
            for (int i = 0; i < 2; i++) {
                groups++;
                boolean sameWinner =
                        Arrays.equals(
                                Arrays.copyOfRange(full.ws(), i * d, (i + 1) * d),
                                Arrays.copyOfRange(preview.ws(), i * d, (i + 1) * d));
                if (sameWinner) {
                    same++;
                    float[] a = Arrays.copyOfRange(full.pixels(), i * PX, (i + 1) * PX);
                    float[] b = Arrays.copyOfRange(preview.pixels(), i * PX, (i + 1) * PX);
                    for (int k = 0; k < PX; k++) {
                        assertEquals(a[k], b[k], 1e-5f * 8, "same winner, same image");
                    }
                }
            }
        }
        System.out.printf(
                "preview ranking on the fixture (32 px, 16 px preview, best of 4): same winner as"
                        + " the full ranking %d/%d%n",
                same, groups);
    }

    @Test
    void aBundleWithoutAPreviewRefusesPreviewRanking() throws IOException {
        ModelBundle plain = RandomBundles.write(dir.resolve("plain"), RandomBundles.Spec.tiny(), 2);
        assertFalse(plain.manifest().hasStage(Stage.SYNTHESIS_PREVIEW));
        try (Clip2Latent m = Clip2Latent.load(plain.directory(), RuntimeOptions.cpu())) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    m.prompt("a red circle")
                                            .candidates(4)
                                            .rerank(RerankMode.PREVIEW)
                                            .sample());
            assertTrue(e.getMessage().contains("synthesisPreview"), e.getMessage());
            assertTrue(e.getMessage().contains(plain.directory().toString()), e.getMessage());
            assertEquals(
                    RerankMode.FULL, m.prompt("a red circle").candidates(2).sample().rankedBy());
        }
    }

    @Test
    void aPreviewOfTheWrongSizeIsRefusedOnLoad() throws IOException {
        Path copy = dir.resolve("wrong-preview");
        BundleWriter.basedOn(bundle, copy).id("wrong").write();
        Path manifest = copy.resolve("clip2latent.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(manifest.toFile());
        ArrayNode shape = (ArrayNode) root.at("/stages/synthesisPreview/outputs/0/shape");
        shape.set(2, 32);
        shape.set(3, 32);
        Files.writeString(manifest, json.writeValueAsString(root));
        BundleException e =
                assertThrows(BundleException.class, () -> ModelBundle.open(copy, false));
        assertTrue(
                e.getMessage().contains("stages.synthesisPreview.outputs")
                        && e.getMessage().contains("imageSize=32"),
                e.getMessage());
    }

    @Test
    void theSampleCommandRanksOnPreviews() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream po = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream pe = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code =
                Clip2LatentCommand.run(
                        new String[] {
                            "sample",
                            "--bundle",
                            bundle.directory().toString(),
                            "--seed",
                            "2",
                            "--candidates",
                            "4",
                            "--rerank",
                            "preview",
                            "--out",
                            dir.resolve("cli.png").toString(),
                            "an old man"
                        },
                        po,
                        pe);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("ranked 4 candidates per image on previews (16 px)"), text);
        out.reset();
        assertEquals(0, Clip2LatentCommand.run(new String[] {"sample", "--help"}, po, pe));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--rerank=MODE"));
        out.reset();
        assertEquals(0, Clip2LatentCommand.run(new String[] {"import", "--help"}, po, pe));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--preview-size=P"));
    }

    /** Index in {@code all} of the candidate whose ws equals image {@code i} of {@code ranked}. */
    private static int candidateWithWs(SampleResult all, SampleResult ranked, int i) {
        int d = 8 * 64;
        float[] want = Arrays.copyOfRange(ranked.ws(), i * d, (i + 1) * d);
        float[] ws = all.ws();
        for (int c = 0; c < all.count(); c++) {
            if (Arrays.equals(want, Arrays.copyOfRange(ws, c * d, (c + 1) * d))) {
                return c;
            }
        }
        throw new AssertionError("no candidate has the ws of image " + i);
    }
}
