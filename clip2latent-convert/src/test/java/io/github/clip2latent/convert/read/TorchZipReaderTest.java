package io.github.clip2latent.convert.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.npy.Npy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

class TorchZipReaderTest {

    private static final String EMA = "ema_diffusion_prior.ema_model.";

    @Test
    void priorCheckpointListsTheManifestTensors() {
        List<Fixtures.Row> rows =
                Fixtures.tableAfter(
                        "prior/MANIFEST.md", "Tensors under `ema_diffusion_prior.ema_model.`");
        assertEquals(46, rows.size(), "manifest rows");
        try (StateDict all =
                TorchZipReader.readStateDict(Fixtures.path("prior/prior.ckpt"), "state_dict")) {
            assertEquals(141, all.size());
            StateDict ema = all.withPrefix(EMA);
            assertEquals(
                    rows.stream().map(Fixtures.Row::name).toList(), ema.names(), "names in order");
            for (Fixtures.Row row : rows) {
                Tensor t = ema.get(row.name());
                assertEquals(DType.FLOAT32, t.dtype(), row.name());
                assertArrayEquals(row.shape(), t.shape(), row.name());
                assertEquals(row.name(), t.name());
            }
            // Prefix counts from the manifest.
            assertEquals(1, all.names().stream().filter(n -> !n.contains(".")).count());
            assertEquals(
                    46, all.names().stream().filter(n -> n.startsWith("diffusion_prior.")).count());
            assertEquals(
                    46,
                    all.names().stream()
                            .filter(n -> n.startsWith("ema_diffusion_prior.online_model."))
                            .count());
            assertEquals(46, all.names().stream().filter(n -> n.startsWith(EMA)).count());
            // The online model is stored once and shared by two names.
            Tensor a = all.get("diffusion_prior.net.learned_query");
            Tensor b = all.get("ema_diffusion_prior.online_model.net.learned_query");
            assertTrue(a.sharesStorageWith(b));
            assertArrayEquals(a.toFloatArray(), b.toFloatArray());
            assertFalse(a.sharesStorageWith(all.get(EMA + "net.learned_query")));
            assertArrayEquals(new long[] {1}, all.get("step").shape());
            assertEquals(510000f, all.get("step").toFloatArray()[0]);
        }
    }

    @Test
    void latentStatisticsEqualTheirConvenienceCopies() throws IOException {
        try (StateDict ema =
                TorchZipReader.readStateDict(Fixtures.path("prior/prior.ckpt"), "state_dict")
                        .withPrefix(EMA)) {
            assertArrayEquals(
                    Npy.read(Fixtures.path("prior/latent_mean.npy")).data(),
                    ema.get("latent_mean").toFloatArray());
            assertArrayEquals(
                    Npy.read(Fixtures.path("prior/latent_std.npy")).data(),
                    ema.get("latent_std").toFloatArray());
        }
    }

    @Test
    void clipStateDictCopyIsFloat16WithTheArchiveNames() {
        try (StateDict sd =
                TorchZipReader.readStateDict(
                        Fixtures.path("clip/clip-tiny-vit-vocab512-state_dict.pt"))) {
            assertEquals(62, sd.size());
            for (Tensor t : sd.asMap().values()) {
                assertEquals(DType.FLOAT16, t.dtype(), t.name());
            }
            assertArrayEquals(new long[] {512, 64}, sd.get("token_embedding.weight").shape());
            assertArrayEquals(new long[] {128, 3, 16, 16}, sd.get("visual.conv1.weight").shape());
            assertEquals("positional_embedding", sd.names().get(0));
        }
    }

    @Test
    void readObjectGivesTheRootDict() {
        Object root = TorchZipReader.readObject(Fixtures.path("prior/prior.ckpt"));
        assertTrue(root instanceof Map<?, ?>);
        assertEquals(List.of("state_dict"), List.copyOf(((Map<?, ?>) root).keySet()));
    }
}
