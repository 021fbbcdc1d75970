package io.github.clip2latent.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.latent.LatentStats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class BundleWriterTest {

    @TempDir Path dir;

    @Test
    void basedOnCopiesEverythingAndOverridesWhatIsSet() throws IOException {
        ModelBundle source =
                RandomBundles.write(dir.resolve("source"), RandomBundles.Spec.tiny(), 4);
        float[] mean = new float[16];
        float[] std = new float[16];
        java.util.Arrays.fill(std, 2f);
        ModelBundle copy =
                BundleWriter.basedOn(source, dir.resolve("copy"))
                        .id("copy-1")
                        .latentStats(new LatentStats(mean, std))
                        .provenance("trained", "yes")
                        .write();
        assertEquals("copy-1", copy.manifest().id());
        assertArrayEquals(std, copy.latentStats().std());
        for (Stage stage : source.manifest().stages().keySet()) {
            assertArrayEquals(
                    Files.readAllBytes(source.stageFile(stage)),
                    Files.readAllBytes(copy.stageFile(stage)));
        }
        assertEquals(source.directions(), copy.directions());
        assertEquals("yes", copy.manifest().provenance().get("trained"));
        assertEquals(source.manifest().stages(), copy.manifest().stages());
        assertEquals(
                ManifestCodec.toJson(copy.manifest()),
                ManifestCodec.toJson(
                        ManifestCodec.read(copy.directory().resolve(BundleManifest.FILE_NAME))),
                "the manifest round-trips");
    }

    @Test
    void aNonEmptyTargetIsRefusedAndNoStagingFolderIsLeft() throws IOException {
        ModelBundle source =
                RandomBundles.write(dir.resolve("source"), RandomBundles.Spec.tiny(), 4);
        Path target = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(target.resolve("keep.txt"), "mine");
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () -> BundleWriter.basedOn(source, target).write());
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertEquals("mine", Files.readString(target.resolve("keep.txt")));
        try (var entries = Files.list(dir)) {
            List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("busy", "source"), names);
        }
    }

    @Test
    void aBundleThatFailsValidationIsNotPublished() throws IOException {
        ModelBundle source =
                RandomBundles.write(dir.resolve("source"), RandomBundles.Spec.tiny(), 4);
        BundleWriter writer =
                BundleWriter.basedOn(source, dir.resolve("bad"))
                        .direction(
                                "wrong",
                                io.github.clip2latent.latent.EditDirection.ofLayers(
                                        new float[5 * 16], 5, 16));
        BundleException e = assertThrows(BundleException.class, writer::write);
        assertTrue(e.getMessage().contains("wrong"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("bad")));
        try (var entries = Files.list(dir)) {
            assertEquals(1, entries.count(), "only the source remains");
        }
    }

    @Test
    void aBundleCarriesOpenAisOwnVocabularyFile() throws IOException {
        ModelBundle source =
                RandomBundles.write(dir.resolve("source"), RandomBundles.Spec.tiny(), 4);
        Path gz = dir.resolve("bpe_simple_vocab_16e6.txt.gz");
        try (var in =
                BundleWriterTest.class.getResourceAsStream(
                        "/reference/tokenizer/bpe_simple_vocab_16e6.txt.gz")) {
            Files.copy(in, gz);
        }
        ModelBundle openAi =
                BundleWriter.basedOn(source, dir.resolve("openai"))
                        .openAiTokenizer(gz, BundleManifest.TokenizerFiles.OPENAI_MERGE_COUNT, 77)
                        .write();
        BundleManifest.TokenizerFiles tok = openAi.manifest().tokenizer();
        assertEquals("bpe_simple_vocab_16e6.txt.gz", tok.bpeVocabulary());
        assertEquals(48894, tok.bpeMergeCount());
        assertEquals(null, tok.vocab());
        assertArrayEquals(
                Files.readAllBytes(gz), Files.readAllBytes(openAi.resolve(tok.bpeVocabulary())));
        String json = Files.readString(openAi.directory().resolve(BundleManifest.FILE_NAME));
        assertTrue(json.contains("\"bpeVocabulary\" : \"bpe_simple_vocab_16e6.txt.gz\""), json);
        // The runtime loads the tokenizer the manifest names: ids of the reference's "an old man".
        try (var encoder =
                io.github.clip2latent.runtime.TextEncoder.open(
                        openAi,
                        new io.github.clip2latent.runtime.SessionFactory(
                                io.github.clip2latent.runtime.RuntimeOptions.cpu()))) {
            assertEquals(49408, encoder.tokenizer().vocabularySize());
            assertArrayEquals(new int[] {550, 896, 786}, encoder.tokenizer().encode("an old man"));
        }
        // A copy keeps the file, and the manifest round-trips.
        ModelBundle copy = BundleWriter.basedOn(openAi, dir.resolve("copy")).write();
        assertEquals(tok, copy.manifest().tokenizer());
        // Without bpeMergeCount the manifest means OpenAI's count; with other sources, an error.
        Path manifest = copy.directory().resolve(BundleManifest.FILE_NAME);
        Files.writeString(
                manifest, Files.readString(manifest).replaceAll("\"bpeMergeCount\" : 48894,", ""));
        assertEquals(48894, ManifestCodec.read(manifest).tokenizer().bpeMergeCount());
        Files.writeString(
                manifest,
                Files.readString(manifest)
                        .replace("\"bpeVocabulary\"", "\"vocab\" : \"v.json\", \"bpeVocabulary\""));
        BundleException e = assertThrows(BundleException.class, () -> ManifestCodec.read(manifest));
        assertTrue(e.getMessage().contains(manifest.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("name one tokenizer source"), e.getMessage());
    }

    @Test
    void knownTokenIdsRoundTripAndNameUntrainedWords() throws IOException {
        ModelBundle source =
                RandomBundles.write(dir.resolve("source"), RandomBundles.Spec.tiny(), 4);
        Path gz = dir.resolve("bpe_simple_vocab_16e6.txt.gz");
        try (var in =
                BundleWriterTest.class.getResourceAsStream(
                        "/reference/tokenizer/bpe_simple_vocab_16e6.txt.gz")) {
            Files.copy(in, gz);
        }
        // "an old man" is 550 896 786; start and end tokens 49406 and 49407.
        ModelBundle known =
                BundleWriter.basedOn(source, dir.resolve("known"))
                        .openAiTokenizer(gz, BundleManifest.TokenizerFiles.OPENAI_MERGE_COUNT, 77)
                        .knownTokenIds(List.of(49407, 550, 896, 786, 49406))
                        .write();
        assertEquals(
                List.of(550, 786, 896, 49406, 49407),
                known.manifest().tokenizer().knownTokenIds(),
                "sorted");
        String json = Files.readString(known.directory().resolve(BundleManifest.FILE_NAME));
        assertTrue(json.contains("\"knownTokenIds\""), json);
        assertEquals(
                known.manifest().tokenizer(),
                BundleWriter.basedOn(known, dir.resolve("copy")).write().manifest().tokenizer(),
                "a copy keeps the list");
        try (var encoder =
                io.github.clip2latent.runtime.TextEncoder.open(
                        known,
                        new io.github.clip2latent.runtime.SessionFactory(
                                io.github.clip2latent.runtime.RuntimeOptions.cpu()))) {
            assertEquals(List.of(), encoder.unknownWords("An  old man "));
            assertEquals(List.of("older", "Mann"), encoder.unknownWords("an older old Mann man"));
            var warnings =
                    encoder.warnings(
                            "an older man", io.github.clip2latent.tokenizer.TruncationPolicy.ERROR);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("the word 'older'"), warnings.get(0));
        }
        // Without the field every id is known (OpenAI's models).
        try (var encoder =
                io.github.clip2latent.runtime.TextEncoder.open(
                        source,
                        new io.github.clip2latent.runtime.SessionFactory(
                                io.github.clip2latent.runtime.RuntimeOptions.cpu()))) {
            assertEquals(List.of(), encoder.unknownWords("an older Mann"));
        }
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new BundleManifest.TokenizerFiles(
                                null, null, null, 77, "x.gz", 1, List.of(5, 3)));
    }
}
