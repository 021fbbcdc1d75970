package io.github.clip2latent.convert.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip2latent.npy.Npy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A prior at the published size (dim 512, depth 12, heads 12, dim_head 64; made with the fixture
 * generator, never committed, see docs/converting.md) imported and run against its own goldens.
 * Skipped unless {@code -Dclip2latent.publishedPrior=<set>/prior} names the generated folder.
 */
@Tag("slow")
class PublishedSizePriorTest {

    @TempDir Path dir;

    @Test
    void publishedSizeImportMatchesItsGoldens() throws Exception {
        String folder = System.getProperty("clip2latent.publishedPrior");
        assumeTrue(
                folder != null && Files.isDirectory(Path.of(folder)),
                "set -Dclip2latent.publishedPrior to a generated published-size prior folder");
        Path set = Path.of(folder);
        Path graph = dir.resolve("prior.onnx");
        PriorImport imported =
                PriorCheckpointImporter.importCheckpoint(
                        set.resolve("prior.ckpt"), graph, PriorCheckpointImporter.Copy.EMA);
        assertEquals(PriorConfig.paper(), imported.config());
        float[] xt = Npy.read(set.resolve("x_t.npy")).data();
        float[] cond = Npy.read(set.resolve("cond.npy")).data();
        long[] t = {0, 1, 249, 500, 750, 999};
        boolean[] all = new boolean[t.length];
        Arrays.fill(all, true);
        try (OrtPriorDenoiser net = new OrtPriorDenoiser(graph, 512)) {
            PriorCheckpointImporterTest.assertClose(
                    Npy.read(set.resolve("x0_pred_kept.npy")).data(),
                    net.run(xt, t, cond, all),
                    "published kept");
            PriorCheckpointImporterTest.assertClose(
                    Npy.read(set.resolve("x0_pred_dropped.npy")).data(),
                    net.run(xt, t, cond, new boolean[t.length]),
                    "published dropped");
        }
    }
}
