package io.github.clip2latent.train.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.NormalizationMode;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.runtime.Generator;
import io.github.clip2latent.runtime.ImageEncoder;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Dataset generation through real ONNX Runtime stages of a generated random bundle. */
class DatasetGeneratorTest {

    @TempDir static Path dir;
    static ModelBundle bundle;
    static final DatasetSpec SPEC =
            DatasetSpec.of(100, 30, 5).withStatsSamples(70).withBatchSize(16);

    @BeforeAll
    static void writeBundle() throws IOException {
        bundle = RandomBundles.write(dir.resolve("bundle"), RandomBundles.Spec.tiny(), 2);
    }

    private static int generate(
            Path out, DatasetSpec spec, ShardSelection selection, List<String> lines)
            throws IOException {
        try (DatasetGenerator generator = DatasetGenerator.open(bundle, RuntimeOptions.cpu())) {
            return generator.generate(out, spec, selection, lines::add);
        }
    }

    @Test
    void shardsSplitAcrossMachinesMatchOneMachineAndRerunsSkipCompleteShards() throws IOException {
        Path single = dir.resolve("single");
        List<String> progress = new ArrayList<>();
        assertEquals(4, generate(single, SPEC, ShardSelection.ALL, progress));
        assertEquals(4, progress.size());
        assertTrue(
                progress.get(3).contains("100/100 samples")
                        && progress.get(3).contains("samples/s")
                        && progress.get(3).contains("ETA"),
                progress.get(3));

        Path split = dir.resolve("split");
        assertEquals(2, generate(split, SPEC, ShardSelection.parse("0/2"), new ArrayList<>()));
        assertEquals(2, generate(split, SPEC, ShardSelection.parse("1/2"), new ArrayList<>()));
        for (int k = 0; k < 4; k++) {
            assertArrayEquals(
                    Files.readAllBytes(single.resolve(DatasetManifest.latentFile(k))),
                    Files.readAllBytes(split.resolve(DatasetManifest.latentFile(k))),
                    "shard " + k);
            assertArrayEquals(
                    Files.readAllBytes(single.resolve(DatasetManifest.embeddingFile(k))),
                    Files.readAllBytes(split.resolve(DatasetManifest.embeddingFile(k))),
                    "shard " + k);
        }
        assertEquals(
                0,
                generate(single, SPEC, ShardSelection.ALL, new ArrayList<>()),
                "complete shards skipped");

        byte[] before = Files.readAllBytes(single.resolve(DatasetManifest.embeddingFile(2)));
        Files.delete(
                single.resolve(
                        DatasetManifest.latentFile(2))); // as if killed between the two renames
        IOException incomplete = assertThrows(IOException.class, () -> ShardedDataset.open(single));
        assertTrue(incomplete.getMessage().contains("shard 2"), incomplete.getMessage());
        assertEquals(1, generate(single, SPEC, ShardSelection.ALL, new ArrayList<>()));
        assertArrayEquals(
                before, Files.readAllBytes(single.resolve(DatasetManifest.embeddingFile(2))));
        try (var files = Files.list(single)) {
            assertTrue(
                    files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")),
                    "no temporary file left");
        }
    }

    @Test
    void pairsAreTheMappedLatentAndItsImageEmbeddingAndStatsComeFromTheFirstRows()
            throws IOException {
        Path out = dir.resolve("pairs");
        generate(out, SPEC, ShardSelection.ALL, new ArrayList<>());
        ShardedDataset data = ShardedDataset.open(out);
        assertEquals(100, data.size());
        int d = data.latentDim();
        int c = data.conditionDim();
        float[] w = new float[d];
        float[] e = new float[c];
        data.read(37, w, 0, e, 0);
        SessionFactory sessions = new SessionFactory(RuntimeOptions.cpu());
        try (Generator generator = Generator.open(bundle, sessions);
                ImageEncoder encoder =
                        ImageEncoder.open(
                                bundle,
                                sessions,
                                bundle.manifest()
                                        .preprocessing()
                                        .withMode(NormalizationMode.SINGLE))) {
            float[] image =
                    generator.synthesize(LayeredLatents.broadcast(w, 1, generator.numWs(), d), 1);
            float[] expected =
                    encoder.encode(image, 1, generator.imageSize(), generator.imageSize());
            assertArrayEquals(expected, e, 1e-5f);
        }
        float[] first = new float[70 * d];
        for (int r = 0; r < 70; r++) {
            data.read(r, first, r * d, e, 0);
        }
        LatentStats expected = LatentStats.estimate(first, 70, d);
        assertEquals(expected, DatasetGenerator.readStats(out));
    }

    @Test
    void aDifferentSpecCannotAddShardsToAnExistingDataset() throws IOException {
        Path out = dir.resolve("mixed");
        generate(
                out,
                DatasetSpec.of(40, 20, 1).withBatchSize(16).withStatsSamples(20),
                ShardSelection.parse("0/2"),
                new ArrayList<>());
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                generate(
                                        out,
                                        DatasetSpec.of(40, 20, 2)
                                                .withBatchSize(16)
                                                .withStatsSamples(20),
                                        ShardSelection.parse("1/2"),
                                        new ArrayList<>()));
        assertTrue(
                e.getMessage().contains("seed 1") && e.getMessage().contains("seed 2"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ShardSelection.parse("2/2"));
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> ShardSelection.parse("x"));
        assertTrue(bad.getMessage().contains("'x'"), bad.getMessage());
    }

    @Test
    void aBoundedShardCacheServesTheTrainerTheSameRows() throws IOException {
        Path out = dir.resolve("cached");
        generate(out, SPEC, ShardSelection.ALL, new ArrayList<>());
        ShardedDataset all = ShardedDataset.open(out);
        ShardedDataset one = ShardedDataset.open(out, 1);
        io.github.clip2latent.train.loop.SampleSource source = one; // what Trainer.create takes
        int d = one.latentDim();
        float[] w1 = new float[d];
        float[] e1 = new float[d];
        float[] w2 = new float[d];
        float[] e2 = new float[d];
        for (long r = 0; r < source.size(); r++) {
            source.read(r, w1, 0, e1, 0);
            all.read(r, w2, 0, e2, 0);
            assertArrayEquals(w2, w1);
            assertArrayEquals(e2, e1);
        }
        assertEquals(4, one.shardLoads(), "each of the 4 shards read once in order");
        one.read(0, w1, 0, e1, 0);
        assertEquals(5, one.shardLoads(), "shard 0 was evicted and is read again");
        assertThrows(IllegalArgumentException.class, () -> ShardedDataset.open(out, 0));
    }
}
