package io.github.clip2latent.convert.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.read.ConversionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Files that are not a usable CLIP: each message names the file and the problem. */
class ClipBadFilesTest {

    @TempDir Path dir;

    private static final Path ARCHIVE = ClipReference.file("clip-tiny-vit.pt");

    @Test
    void torchScriptArchiveThatIsNotClip() throws Exception {
        // A real TorchScript archive whose image tower is called "vision" instead of "visual".
        Path file =
                ClipFiles.renameInPickle(ARCHIVE, dir.resolve("not-clip.pt"), "visual", "vision");
        assertEquals(ClipSourceFormat.TORCHSCRIPT, ClipImporter.detect(file));
        Path out = Files.createDirectories(dir.resolve("out"));
        ConversionException e =
                assertThrows(ConversionException.class, () -> ClipImporter.importFile(file, out));
        assertMessage(e, file, "not an OpenAI CLIP ViT state dict", "no 'visual.proj'");
        assertNothingWritten(out);
    }

    @Test
    void torchSaveFileThatIsNotClip() throws Exception {
        Path file = Path.of(ClipReference.class.getResource("/reference/prior/prior.ckpt").toURI());
        assertEquals(ClipSourceFormat.TORCH_SAVE, ClipImporter.detect(file));
        ConversionException e =
                assertThrows(ConversionException.class, () -> ClipImporter.readWeights(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void notAWeightFileAtAll() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.pt"), "hello");
        ConversionException e =
                assertThrows(ConversionException.class, () -> ClipImporter.detect(file));
        assertMessage(e, file, "not a CLIP weight file");
    }

    @Test
    void missingTensorsAreListed() throws Exception {
        // Renaming c_proj in the pickle leaves every block without its MLP output projection.
        Path file =
                ClipFiles.renameInPickle(ARCHIVE, dir.resolve("missing.pt"), "c_proj", "c_prox");
        Path out = Files.createDirectories(dir.resolve("out"));
        ConversionException e =
                assertThrows(ConversionException.class, () -> ClipImporter.importFile(file, out));
        assertMessage(
                e,
                file,
                "missing tensor 'visual.transformer.resblocks.0.mlp.c_proj.weight' (expected shape"
                    + " [128, 512])",
                "missing tensor 'transformer.resblocks.1.mlp.c_proj.bias'",
                "unexpected tensor 'transformer.resblocks.0.mlp.c_prox.weight'");
        assertNothingWritten(out);
    }

    @Test
    void inconsistentShapesAreNamed() throws Exception {
        Map<String, long[]> shapes = fixtureShapes();
        shapes.put("transformer.resblocks.1.mlp.c_fc.weight", new long[] {255, 64});
        ConversionException e =
                assertThrows(
                        ConversionException.class,
                        () -> ClipConfig.infer(shapes, ARCHIVE.toString()));
        assertMessage(
                e,
                ARCHIVE,
                "tensor 'transformer.resblocks.1.mlp.c_fc.weight' has shape [255, 64], expected"
                    + " [256, 64]");
    }

    @Test
    void positionalRowsThatAreNotAGridPlusOne() throws Exception {
        Map<String, long[]> shapes = fixtureShapes();
        shapes.put("visual.positional_embedding", new long[] {196, 128});
        ConversionException e =
                assertThrows(
                        ConversionException.class,
                        () -> ClipConfig.infer(shapes, ARCHIVE.toString()));
        assertMessage(e, ARCHIVE, "'visual.positional_embedding' has 196 rows");
    }

    @Test
    void textWidthBelowOneHead() throws Exception {
        Map<String, long[]> shapes = fixtureShapes();
        shapes.put("ln_final.weight", new long[] {32});
        ConversionException e =
                assertThrows(
                        ConversionException.class,
                        () -> ClipConfig.infer(shapes, ARCHIVE.toString()));
        assertMessage(e, ARCHIVE, "give no attention head");
    }

    @Test
    void resNetClipIsNamedAsUnsupported() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("visual.layer1.0.conv1.weight", new long[] {64, 64, 1, 1});
        ConversionException e =
                assertThrows(ConversionException.class, () -> ClipConfig.infer(shapes, "RN50.pt"));
        assertTrue(
                e.getMessage().startsWith("RN50.pt: a CLIP with a ResNet image tower"),
                e.getMessage());
    }

    @Test
    void huggingFaceFileWithoutAValueProjection() throws Exception {
        Map<String, float[]> data = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String p : new String[] {"q_proj", "k_proj"}) {
            String name = "text_model.encoder.layers.0.self_attn." + p + ".weight";
            data.put(name, new float[4]);
            shapes.put(name, new long[] {2, 2});
        }
        Path file =
                ClipFiles.writeSafetensors(dir.resolve("hf.safetensors"), data, shapes, Map.of());
        ConversionException e =
                assertThrows(ConversionException.class, () -> ClipImporter.readWeights(file));
        assertMessage(
                e,
                file,
                "'transformer.resblocks.0.attn.in_proj_weight' needs q, k and v projections",
                "v_proj is missing");
    }

    private static Map<String, long[]> fixtureShapes() throws Exception {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        ClipImporter.readWeights(ARCHIVE).tensors().forEach((k, v) -> shapes.put(k, v.shape()));
        return shapes;
    }

    private static void assertMessage(Exception e, Path file, String... parts) {
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()), "message does not start with the file: " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "message lacks '" + p + "': " + m);
        }
    }

    private static void assertNothingWritten(Path out) throws Exception {
        try (var files = Files.list(out)) {
            assertFalse(files.findAny().isPresent(), "files left in " + out);
        }
    }
}
