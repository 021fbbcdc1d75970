package io.github.clip2latent.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.fixtures.RandomBundles;

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
        for (Stage stage : Stage.values()) {
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
}
