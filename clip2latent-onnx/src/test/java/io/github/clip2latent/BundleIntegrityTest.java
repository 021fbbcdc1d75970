package io.github.clip2latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.BundleManifest;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.convert.graph.Dim;
import io.github.clip2latent.tensor.ElementType;
import io.github.clip2latent.convert.graph.GraphBuilder;
import io.github.clip2latent.convert.graph.GraphValue;
import io.github.clip2latent.fixtures.FixtureGraphs;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Issue 14 item 4: bundle damage that loaded silently or failed later naming the wrong file. Each
 * case asserts its message. Content cases load with checksum verification off, to reach the check
 * behind it; {@link #flippedBytesInsideGraphWeightsFailTheChecksum} shows the checksum catches them
 * first by default.
 */
class BundleIntegrityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RuntimeOptions UNVERIFIED =
            RuntimeOptions.cpu().withChecksumVerification(false);

    @TempDir Path dir;
    private int bundles;

    private Path bundle() throws IOException {
        return RandomBundles.write(dir.resolve("b" + bundles++), RandomBundles.Spec.tiny(), 3)
                .directory();
    }

    private static BundleException failsToLoad(Path bundle, RuntimeOptions options) {
        int before = SessionFactory.openSessionCount();
        BundleException e =
                assertThrows(BundleException.class, () -> Clip2Latent.load(bundle, options));
        assertEquals(
                before,
                SessionFactory.openSessionCount(),
                "sessions left open after a failed load");
        return e;
    }

    private static void assertContains(Exception e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(
                    e.getMessage().contains(fragment),
                    "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    private static void editManifest(Path bundle, Consumer<ObjectNode> edit) throws IOException {
        Path file = bundle.resolve(BundleManifest.FILE_NAME);
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(root);
        Files.writeString(file, JSON.writeValueAsString(root));
    }

    @Test
    void theWriterRecordsAChecksumOfEveryFile() throws IOException {
        Path b = bundle();
        BundleManifest m = ModelBundle.open(b).manifest();
        assertEquals(m.files().size(), m.checksums().size());
        for (String file : m.files()) {
            assertTrue(m.checksums().get(file).matches("[0-9a-f]{64}"), file);
        }
        assertTrue(m.files().contains("prior.onnx") && m.files().contains("merges.txt"));
    }

    @Test
    void flippedBytesInsideGraphWeightsFailTheChecksum() throws IOException {
        Path b = bundle();
        Path prior = b.resolve("prior.onnx");
        byte[] bytes = Files.readAllBytes(prior);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(prior, bytes);
        assertContains(
                failsToLoad(b, RuntimeOptions.cpu()),
                "prior.onnx",
                "SHA-256 is",
                "the manifest records",
                "withChecksumVerification(false)");
        // The opt-out loads the damaged (still well-formed) graph.
        try (Clip2Latent model = Clip2Latent.load(b, UNVERIFIED)) {
            assertEquals(1, model.prompt("a red circle").seed(1).sample().count());
        }
    }

    @Test
    void aFileMissingFromTheChecksumsIsNamed() throws IOException {
        Path b = bundle();
        editManifest(b, root -> ((ObjectNode) root.get("checksums")).remove("vocab.json"));
        assertContains(
                failsToLoad(b, RuntimeOptions.cpu()), "checksums has no SHA-256 for vocab.json");
    }

    @Test
    void infinitePreprocessingStatisticsAreRejected() throws IOException {
        Path b = bundle();
        editManifest(
                b,
                root -> {
                    ArrayNode mean = (ArrayNode) root.at("/preprocessing/mean");
                    mean.set(0, JSON.getNodeFactory().numberNode(1e39));
                });
        assertContains(
                failsToLoad(b, UNVERIFIED),
                "clip2latent.json",
                "'preprocessing.mean[0]' is 1.0E39, not a finite float32 value");
    }

    @Test
    void aTruncatedMergesFileIsNamed() throws IOException {
        Path b = bundle();
        Path merges = b.resolve("merges.txt");
        List<String> lines = Files.readAllLines(merges, StandardCharsets.UTF_8);
        Files.write(merges, lines.subList(0, lines.size() - 2), StandardCharsets.UTF_8);
        assertContains(
                failsToLoad(b, UNVERIFIED),
                "merges.txt",
                "are made by none of them",
                "is the merges file truncated?");
    }

    @Test
    void timestepsBeyondThePriorsTimeTableFailAtLoad() throws IOException {
        Path b = bundle();
        editManifest(b, root -> ((ObjectNode) root.get("schedule")).put("timesteps", 5000));
        assertContains(
                failsToLoad(b, UNVERIFIED),
                "schedule.timesteps is 5000",
                "prior.onnx",
                "rejects the step t = 4999");
    }

    @Test
    void absurdTimestepsAreRefusedBeforeAnyTableIsAllocated() throws IOException {
        for (long steps : new long[] {Integer.MAX_VALUE, 50_000_000L}) {
            Path b = bundle();
            editManifest(b, root -> ((ObjectNode) root.get("schedule")).put("timesteps", steps));
            assertContains(
                    failsToLoad(b, UNVERIFIED),
                    "clip2latent.json",
                    "schedule.timesteps must be in [2, 100000], got " + steps);
        }
    }

    /**
     * A text encoder that looks ids up directly in a 1024-row table (the shared fixture takes ids
     * modulo its table, so no id is ever out of range).
     */
    private static byte[] directLookupTextEncoder(int embedDim) {
        GraphBuilder g = new GraphBuilder("direct_lookup_text_encoder");
        Dim batch = Dim.symbolic("batch");
        GraphValue ids =
                g.input(
                        FixtureGraphs.TEXT_INPUT,
                        ElementType.INT64,
                        batch,
                        Dim.of(FixtureGraphs.CONTEXT_LENGTH));
        float[] table = new float[1024 * embedDim];
        for (int i = 0; i < table.length; i++) {
            table[i] = (i % 7) / 7f;
        }
        GraphValue rows =
                g.gather(g.floatConstant("table", new long[] {1024, embedDim}, table), ids, 0);
        g.output(
                g.reduceMean(rows, false, 1),
                FixtureGraphs.TEXT_OUTPUT,
                ElementType.FLOAT,
                batch,
                Dim.of(embedDim));
        return g.build().toByteArray();
    }

    @Test
    void aVocabularyIdBeyondTheTextEncodersTableNamesTheVocabulary() throws IOException {
        Path b = bundle();
        Files.write(b.resolve("textEncoder.onnx"), directLookupTextEncoder(16));
        try (Clip2Latent model = Clip2Latent.load(b, UNVERIFIED)) {
            assertEquals(1, model.prompt("a red circle").seed(1).sample().count()); // control
        }
        Path vocab = b.resolve("vocab.json");
        ObjectNode root = (ObjectNode) JSON.readTree(vocab.toFile());
        root.put("circle</w>", 100_000);
        Files.writeString(vocab, JSON.writeValueAsString(root));
        assertContains(
                failsToLoad(b, UNVERIFIED), "vocab.json has token ids up to 100000", "textEncoder");
    }

    @Test
    void aNanInTheLatentMeanBlamesTheMeanFile() throws IOException {
        Path b = bundle();
        float[] mean = Npy.read(b.resolve("latent_mean.npy")).data();
        mean[3] = Float.NaN;
        Npy.write(b.resolve("latent_mean.npy"), NpyArray.vector(mean));
        BundleException e = failsToLoad(b, UNVERIFIED);
        assertContains(e, "latent_mean.npy", "latent mean[3] is NaN");
        assertFalse(e.getMessage().contains("latent_std.npy"), e.getMessage());
    }

    @Test
    void anNpyShapeThatOverflowsNamesTheFile() throws IOException {
        Path b = bundle();
        String dict =
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }";
        String header = dict + " ".repeat(63 - (10 + dict.length()) % 64) + "\n";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = new byte[10 + h.length];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        System.arraycopy(magic, 0, bytes, 0, 8);
        bytes[8] = (byte) h.length;
        bytes[9] = (byte) (h.length >> 8);
        System.arraycopy(h, 0, bytes, 10, h.length);
        Files.write(b.resolve("latent_std.npy"), bytes);
        assertContains(failsToLoad(b, UNVERIFIED), "latent_std.npy", "overflows");
    }

    @Test
    void trailingGarbageAfterTheManifestIsAnError() throws IOException {
        Path b = bundle();
        Path manifest = b.resolve(BundleManifest.FILE_NAME);
        Files.writeString(manifest, Files.readString(manifest) + "\n{\"id\": \"other\"}\n");
        assertContains(failsToLoad(b, UNVERIFIED), "clip2latent.json", "not valid JSON");
    }
}
