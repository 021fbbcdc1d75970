package io.github.clip2latent.train.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.runtime.RuntimeOptions;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Issue 14 item 5: truncated shards, unhelpful shard errors, and rewrites of a complete dataset.
 */
class DatasetRecoveryTest {

    @TempDir static Path dir;
    static ModelBundle bundle;
    static final DatasetSpec SPEC = DatasetSpec.of(60, 20, 5).withStatsSamples(40);

    @BeforeAll
    static void writeBundle() throws IOException {
        bundle = RandomBundles.write(dir.resolve("bundle"), RandomBundles.Spec.tiny(), 2);
    }

    private static int generate(Path out, List<String> lines) throws IOException {
        try (DatasetGenerator generator = DatasetGenerator.open(bundle, RuntimeOptions.cpu())) {
            return generator.generate(out, SPEC, ShardSelection.ALL, lines::add);
        }
    }

    private static void truncate(Path file, int bytes) throws IOException {
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - bytes));
    }

    @Test
    void aTruncatedShardUnderItsFinalNameIsGeneratedAgain() throws IOException {
        Path data = dir.resolve("truncated");
        assertEquals(3, generate(data, new ArrayList<>()));
        Path shard = data.resolve(DatasetManifest.latentFile(1));
        byte[] whole = Files.readAllBytes(shard);
        truncate(shard, 100);
        assertFalse(DatasetGenerator.isComplete(data, 1));
        assertTrue(DatasetGenerator.isComplete(data, 0));

        assertEquals(1, generate(data, new ArrayList<>()), "only the damaged shard is redone");
        assertArrayEquals(whole, Files.readAllBytes(shard));
    }

    @Test
    void aBadShardIsReportedWithItsFilesAndReason() throws IOException {
        Path data = dir.resolve("bad");
        generate(data, new ArrayList<>());
        ShardedDataset dataset = ShardedDataset.open(data);
        truncate(data.resolve(DatasetManifest.embeddingFile(2)), 4);
        float[] w = new float[dataset.latentDim()];
        float[] e = new float[dataset.conditionDim()];
        UncheckedIOException thrown =
                assertThrows(UncheckedIOException.class, () -> dataset.read(45, w, 0, e, 0));
        String message = thrown.getMessage();
        assertTrue(message.contains("cannot read shard 2"), message);
        assertTrue(message.contains(DatasetManifest.embeddingFile(2)), message);
        assertTrue(message.contains("data bytes"), message);
    }

    @Test
    void generatingACompleteDatasetAgainWritesNothing() throws IOException {
        Path data = dir.resolve("complete");
        generate(data, new ArrayList<>());
        List<Object> before = identities(data);
        List<String> lines = new ArrayList<>();
        assertEquals(0, generate(data, lines));
        // Same inode and time for every file: nothing was rewritten, so a complete dataset on a
        // read-only disk stays usable (the stats were rewritten before).
        assertEquals(before, identities(data), String.join("\n", lines));
    }

    private static List<Object> identities(Path data) throws IOException {
        List<Object> ids = new ArrayList<>();
        try (var files = Files.list(data)) {
            for (Path p : files.sorted().toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                ids.add(p.getFileName() + " " + a.fileKey() + " " + a.lastModifiedTime());
            }
        }
        return ids;
    }
}
