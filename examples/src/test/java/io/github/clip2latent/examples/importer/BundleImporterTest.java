package io.github.clip2latent.examples.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.BundleManifest;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.NormalizationMode;
import io.github.clip2latent.examples.cli.Clip2LatentCommand;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The import on the reference fixture files: a bundle that loads and samples, and refusals. */
class BundleImporterTest {

    @TempDir Path dir;
    Path prior;
    Path sg2;
    Path sg3;
    Path clip;
    Path out;

    @BeforeEach
    void files() throws IOException {
        Path in = dir.resolve("in");
        prior = ImportFixtures.copy("prior/prior.ckpt", in);
        sg2 = ImportFixtures.copy("stylegan2/network-snapshot-025000.pkl", in);
        sg3 = ImportFixtures.copy("stylegan3/network-snapshot-025000.pkl", in);
        clip = ImportFixtures.copy("clip/clip-tiny-vit.pt", in);
        out = dir.resolve("out").resolve("bundle");
    }

    @Test
    void theFixtureFilesBecomeABundleThatLoadsAndSamples() throws IOException {
        List<String> steps = new ArrayList<>();
        ModelBundle bundle =
                BundleImporter.importBundle(
                        ImportRequest.builder()
                                .prior(prior)
                                .stylegan(sg2)
                                .clip(clip)
                                .output(out)
                                .normalization(NormalizationMode.REFERENCE_DOUBLE)
                                .build(),
                        (step, n, what) -> steps.add(step + "/" + n + " " + what));
        assertEquals(8, steps.size(), steps.toString());
        assertTrue(steps.get(7).startsWith("8/8 writing the StyleGAN2"), steps.toString());

        BundleManifest m = bundle.manifest();
        assertEquals(64, m.latentDim());
        assertEquals(8, m.numWs());
        assertEquals(64, m.zDim());
        assertEquals(64, m.embeddingDim());
        assertEquals(32, m.imageSize());
        assertEquals(224, m.preprocessing().inputSize());
        assertEquals(NormalizationMode.REFERENCE_DOUBLE, m.preprocessing().mode());
        assertEquals("bundle", m.id());
        var prov = m.provenance();
        assertEquals(BundleImporter.sha256(prior), prov.get("source.prior.sha256"));
        assertEquals(BundleImporter.sha256(sg2), prov.get("source.stylegan.sha256"));
        assertEquals(BundleImporter.sha256(clip), prov.get("source.clip.sha256"));
        assertEquals("prior.ckpt", prov.get("source.prior.name"));
        assertEquals("network-snapshot-025000.pkl", prov.get("source.stylegan.name"));
        assertEquals("clip-tiny-vit.pt", prov.get("source.clip.name"));
        assertTrue(prov.get("source.tokenizer.name").contains("shipped"), prov.toString());
        // The shipped tokenizer is OpenAI's file, byte for byte.
        Path fixtureVocab = ImportFixtures.copy("tokenizer/bpe_simple_vocab_16e6.txt.gz", dir);
        assertEquals(BundleImporter.sha256(fixtureVocab), prov.get("source.tokenizer.sha256"));
        assertNotEquals("unknown", prov.get("converter.version"));
        assertFalse(prov.get("converter.version").isBlank());
        assertEquals("ema", prov.get("prior.copy"));
        assertEquals("random", prov.get("synthesis.noise"));
        assertOnlyTheBundleIn(out.getParent());

        try (Clip2Latent model = Clip2Latent.load(out)) {
            SampleResult r =
                    model.prompt("a photograph of a happy person").candidates(2).seed(7).sample();
            assertEquals(1, r.count());
            float[] img = r.pixels();
            assertEquals(3 * 32 * 32, img.length);
            double energy = 0;
            for (float v : img) {
                assertTrue(Float.isFinite(v));
                energy += v * v;
            }
            assertTrue(energy > 0, "a non-blank image");
        }
    }

    @Test
    void aStyleGan3PickleImportsToo() throws IOException {
        ModelBundle bundle =
                BundleImporter.importBundle(
                        ImportRequest.builder()
                                .prior(prior)
                                .stylegan(sg3)
                                .clip(clip)
                                .output(out)
                                .build(),
                        ImportProgress.silent());
        assertEquals(16, bundle.manifest().numWs());
        assertEquals("StyleGAN3", bundle.manifest().provenance().get("stylegan.family"));
        try (Clip2Latent model = Clip2Latent.load(out)) {
            assertEquals(1, model.prompt("a mountain lake").seed(3).sample().count());
        }
    }

    @Test
    void aPriorOfAnotherWidthIsRefusedNamingBothFilesAndBothValues() throws IOException {
        Path narrow = ImportFixtures.priorOfWidth(prior, 32, dir.resolve("in/narrow-prior.ckpt"));
        MismatchedPartsException e =
                assertThrows(
                        MismatchedPartsException.class,
                        () ->
                                BundleImporter.importBundle(
                                        ImportRequest.builder()
                                                .prior(narrow)
                                                .stylegan(sg2)
                                                .clip(clip)
                                                .output(out)
                                                .build(),
                                        ImportProgress.silent()));
        String m = e.getMessage();
        assertTrue(m.contains(narrow.toString()), m);
        assertTrue(m.contains(sg2.toString()), m);
        assertTrue(m.contains("width 32 (dim)"), m);
        assertTrue(m.contains("width 64 (G_ema.w_dim)"), m);
        assertFalse(Files.exists(out), "nothing under the output name");
        assertEmpty(out.getParent());
    }

    @Test
    void aClipWhoseVocabularyTheTokenizerCannotMakeIsRefused() throws IOException {
        Path cut = ImportFixtures.copy("clip/clip-tiny-vit-vocab512-state_dict.pt", dir.resolve("in"));
        MismatchedPartsException e =
                assertThrows(
                        MismatchedPartsException.class,
                        () ->
                                BundleImporter.importBundle(
                                        ImportRequest.builder()
                                                .prior(prior)
                                                .stylegan(sg2)
                                                .clip(cut)
                                                .output(out)
                                                .build(),
                                        ImportProgress.silent()));
        String m = e.getMessage();
        assertTrue(m.contains(cut.toString()), m);
        assertTrue(m.contains(BundleImporter.SHIPPED_TOKENIZER), m);
        assertTrue(m.contains("vocabulary of 512 tokens"), m);
        assertTrue(m.contains("holds 262144 merges"), m);
        assertFalse(Files.exists(out));
        assertEmpty(out.getParent());
    }

    @Test
    void theCommandLineHasHelpAndRefusesBadUsage() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
        PrintStream pe = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(0, Clip2LatentCommand.run(new String[] {"import", "--help"}, po, pe));
        assertTrue(o.toString(StandardCharsets.UTF_8).contains("--prior-copy"));
        assertEquals(2, Clip2LatentCommand.run(new String[] {"import", "--prior", "x.ckpt"}, po, pe));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("Missing required options"),
                err.toString(StandardCharsets.UTF_8));
        assertEquals(
                2,
                Clip2LatentCommand.run(
                        new String[] {
                            "import", "--noise", "loud", "--prior", "a", "--stylegan", "b", "--clip",
                            "c", "--out", "d"
                        },
                        po,
                        pe));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("expected random, const or none"),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theCommandLineImportsAndReportsAFailureWithExitCode1() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
        PrintStream pe = new PrintStream(err, true, StandardCharsets.UTF_8);
        String[] args = {
            "import",
            "--prior", prior.toString(), "--stylegan", sg2.toString(), "--clip", clip.toString(),
            "--out", out.toString(), "--noise", "const", "--prior-copy", "online"
        };
        assertEquals(
                0, Clip2LatentCommand.run(args, po, pe), err.toString(StandardCharsets.UTF_8));
        String text = o.toString(StandardCharsets.UTF_8);
        assertTrue(
                text.contains("[1/8]") && text.contains("[8/8]") && text.contains("import: wrote"),
                text);
        // The output now exists: a second import is refused and leaves it as it was.
        assertEquals(1, Clip2LatentCommand.run(args, po, pe));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("exists and is not empty"));
        assertTrue(Files.isRegularFile(out.resolve(BundleManifest.FILE_NAME)));
    }

    private static void assertOnlyTheBundleIn(Path parent) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            assertEquals(List.of("bundle"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static void assertEmpty(Path parent) throws IOException {
        if (Files.exists(parent)) {
            try (Stream<Path> s = Files.list(parent)) {
                assertEquals(List.of(), s.toList(), "no work folders left after a failure");
            }
        }
    }
}
