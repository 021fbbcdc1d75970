package io.github.clip2latent.convert.prior;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.read.ConversionException;
import io.github.clip2latent.convert.read.Fixtures;
import io.github.clip2latent.convert.read.StateDict;
import io.github.clip2latent.convert.read.TestZips;
import io.github.clip2latent.convert.read.TorchZipReader;
import io.github.clip2latent.schedule.NoiseSchedule;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Checkpoints the importer must refuse, each with a message naming file, key and problem. */
class PriorImportBadFilesTest {

    @TempDir Path dir;

    private static void assertMessage(ConversionException e, Path file, String... parts) {
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "names the file: " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "contains '" + p + "': " + m);
        }
    }

    /** A {"state_dict": {name: zeros(shape)}} checkpoint, all views of one float storage. */
    private Path checkpoint(String file, Map<String, int[]> shapes) throws IOException {
        TestZips.Pickle p = new TestZips.Pickle().emptyDict().str("state_dict").emptyDict();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            int[] size = e.getValue();
            int[] stride = new int[size.length];
            int st = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                stride[i] = st;
                st *= size[i];
            }
            p.str(e.getKey()).tensor("FloatStorage", "0", 4096, 0, size, stride).setItem();
        }
        p.setItem();
        Map<String, byte[]> entries = TestZips.entries();
        entries.put("000510/data.pkl", p.stop());
        entries.put("000510/data/0", new byte[4096 * 4]);
        entries.put("000510/version", "3\n".getBytes());
        return TestZips.write(dir.resolve(file), entries);
    }

    @Test
    void checkpointWithoutTheEmaCopy() throws IOException {
        Path file =
                checkpoint(
                        "online-only.ckpt",
                        new java.util.LinkedHashMap<>(
                                Map.of("diffusion_prior.net.learned_query", new int[] {4})));
        Path graph = dir.resolve("prior.onnx");
        assertMessage(
                assertThrows(
                        ConversionException.class,
                        () ->
                                PriorCheckpointImporter.importCheckpoint(
                                        file, graph, PriorCheckpointImporter.Copy.EMA)),
                file,
                "state_dict",
                "no EMA copy",
                "ema_diffusion_prior.ema_model.",
                "diffusion_prior.");
        assertFalse(Files.exists(graph), "nothing written");
    }

    @Test
    void inconsistentLayerShapes() throws IOException {
        String p = "ema_diffusion_prior.ema_model.net.";
        Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
        shapes.put(p + "learned_query", new int[] {4});
        shapes.put(p + "to_time_embeds.0.weight", new int[] {10, 4});
        shapes.put(p + "causal_transformer.layers.0.0.to_q.weight", new int[] {4, 4});
        shapes.put(p + "causal_transformer.layers.0.0.to_kv.weight", new int[] {4, 4});
        shapes.put(p + "causal_transformer.layers.1.0.to_q.weight", new int[] {6, 4});
        shapes.put(p + "causal_transformer.layers.1.0.to_kv.weight", new int[] {4, 4});
        Path file = checkpoint("layers.ckpt", shapes);
        assertMessage(
                assertThrows(
                        ConversionException.class,
                        () -> PriorCheckpointImporter.read(file, PriorCheckpointImporter.Copy.EMA)),
                file,
                "state_dict['ema_diffusion_prior.ema_model.net.causal_transformer.layers.1.0.to_q.weight']",
                "inconsistent layer shapes: [6, 4], layer 0 has [4, 4]");
    }

    @Test
    void scheduleThatIsNotCosine() throws IOException {
        // The fixture checkpoint with the EMA copy's betas replaced by the linear schedule.
        Path source = Fixtures.path("prior/prior.ckpt");
        String entry;
        try (StateDict sd = TorchZipReader.readStateDict(source, "state_dict")) {
            entry = sd.get("ema_diffusion_prior.ema_model.betas").storageEntry();
        }
        NoiseSchedule linear = NoiseSchedule.linear(1000);
        ByteBuffer betas = ByteBuffer.allocate(4000).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < 1000; t++) {
            betas.putFloat(linear.beta(t));
        }
        Map<String, byte[]> entries = TestZips.entries();
        try (ZipFile zip = new ZipFile(source.toFile())) {
            for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
                ZipEntry z = it.nextElement();
                try (InputStream in = zip.getInputStream(z)) {
                    entries.put(
                            z.getName(),
                            z.getName().equals(entry) ? betas.array() : in.readAllBytes());
                }
            }
        }
        Path file = TestZips.write(dir.resolve("linear.ckpt"), entries);
        assertMessage(
                assertThrows(
                        ConversionException.class,
                        () -> PriorCheckpointImporter.read(file, PriorCheckpointImporter.Copy.EMA)),
                file,
                "state_dict['ema_diffusion_prior.ema_model.betas']",
                "schedule is not cosine: betas[0] is 1.0E-4");
        // The online copy still has the cosine buffers and imports.
        PriorCheckpointImporter.read(file, PriorCheckpointImporter.Copy.ONLINE);
    }
}
