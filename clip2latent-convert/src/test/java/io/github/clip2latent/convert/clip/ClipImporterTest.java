package io.github.clip2latent.convert.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.OrtTestSupport;
import io.github.clip2latent.convert.OrtTestSupport.Input;
import io.github.clip2latent.convert.graph.NamedTensor;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The imported graphs against the goldens of {@code /reference/clip/} (MANIFEST.md): the model as
 * {@code clip.load(..., device="cpu", jit=False)} returns it, float32, from both released formats
 * and from a Hugging Face-named safetensors copy the test derives from the archive.
 */
class ClipImporterTest {

    /** The bar: each embedding within 1e-4 of its row's largest golden magnitude. */
    private static final double TOLERANCE = 1e-4;

    private static final int EMBED = 64;

    @TempDir static Path dir;

    private static ClipImport archive;
    private static ClipImport stateDict;
    private static float[] pixels;

    @BeforeAll
    static void importBoth() throws Exception {
        archive =
                ClipImporter.importFile(
                        ClipReference.file("clip-tiny-vit.pt"),
                        Files.createDirectories(dir.resolve("archive")));
        stateDict =
                ClipImporter.importFile(
                        ClipReference.file("clip-tiny-vit-vocab512-state_dict.pt"),
                        Files.createDirectories(dir.resolve("state_dict")));
        pixels = ClipReference.allPixels();
    }

    @Test
    void archiveRecordCarriesWhatABundleNeeds() {
        assertEquals(ClipSourceFormat.TORCHSCRIPT, archive.format());
        assertEquals(64, archive.embedDim());
        assertEquals(224, archive.imageResolution());
        assertEquals(77, archive.contextLength());
        assertEquals(49408, archive.vocabSize());
        assertTrue(archive.sourceSha256().startsWith("b1e8ea593bb0b9a9"), archive.sourceSha256());
        assertEquals(new ClipConfig(64, 224, 16, 128, 2, 2, 77, 49408, 64, 2, 1), archive.config());
        assertTrue(Files.isRegularFile(archive.imageEncoder()));
        assertTrue(Files.isRegularFile(archive.textEncoder()));

        assertEquals(ClipSourceFormat.TORCH_SAVE, stateDict.format());
        assertEquals(512, stateDict.vocabSize());
        assertTrue(
                stateDict.sourceSha256().startsWith("29c24f86747d77a9"), stateDict.sourceSha256());
    }

    @Test
    void archiveTextEmbeddingsMatchGoldens() throws Exception {
        float[] out = text(archive, ClipReference.tokens("text_tokens.npy"), 8);
        assertClose(ClipReference.npy("text_embeds.npy").data(), out, "archive text");
    }

    @Test
    void archiveImageEmbeddingsMatchGoldens() throws Exception {
        float[] out = image(archive, pixels, 3);
        assertClose(ClipReference.npy("image_embeds.npy").data(), out, "archive image");
    }

    @Test
    void stateDictTextEmbeddingsMatchItsOwnGoldens() throws Exception {
        // Lengths 5, 12 and 77: the last row runs the full context.
        float[] out = text(stateDict, ClipReference.tokens("text_tokens_vocab512.npy"), 3);
        assertClose(ClipReference.npy("text_embeds_vocab512.npy").data(), out, "state-dict text");
    }

    @Test
    void stateDictImageEmbeddingsMatchGoldens() throws Exception {
        float[] out = image(stateDict, pixels, 3);
        assertClose(ClipReference.npy("image_embeds.npy").data(), out, "state-dict image");
    }

    @Test
    void eachPromptAloneGivesItsBatchedEmbedding() throws Exception {
        // The text graph runs only up to the batch's last end-of-text token, so a batch and its
        // rows alone run different lengths; the features must not depend on that.
        long[] ids = ClipReference.tokens("text_tokens.npy");
        float[] batched = text(archive, ids, 8);
        for (int row = 0; row < 8; row++) {
            float[] alone = text(archive, Arrays.copyOfRange(ids, row * 77, (row + 1) * 77), 1);
            float[] want = Arrays.copyOfRange(batched, row * EMBED, (row + 1) * EMBED);
            assertTrue(
                    ClipReference.maxRelativeError(alone, want, EMBED) < 1e-6,
                    "row " + row + " alone differs from the batch");
        }
    }

    @Test
    void huggingFaceSafetensorsGiveTheArchiveWeightsAndGoldens() throws Exception {
        // A safetensors file with transformers' CLIPModel names, derived in the test from the
        // fixture archive (ClipFiles.huggingFaceCopy); the real openai/clip-vit-base-patch32 file
        // has this layout at 605 MB.
        Path hf =
                ClipFiles.huggingFaceCopy(
                        ClipReference.file("clip-tiny-vit.pt"), dir.resolve("model.safetensors"));
        assertEquals(ClipSourceFormat.SAFETENSORS, ClipImporter.detect(hf));
        ClipWeights fromHf = ClipImporter.readWeights(hf);
        ClipWeights fromArchive = ClipImporter.readWeights(ClipReference.file("clip-tiny-vit.pt"));
        assertEquals(fromArchive.config(), fromHf.config());
        assertEquals(fromArchive.tensors().keySet().asList(), fromHf.tensors().keySet().asList());
        for (NamedTensor t : fromArchive.tensors().values()) {
            NamedTensor u = fromHf.get(t.name());
            assertArrayEquals(t.shape(), u.shape(), t.name());
            assertArrayEquals(t.data(), u.data(), t.name());
        }
        ClipImport imported =
                ClipImporter.importFile(hf, Files.createDirectories(dir.resolve("hf")));
        assertEquals(ClipSourceFormat.SAFETENSORS, imported.format());
        assertClose(
                ClipReference.npy("text_embeds.npy").data(),
                text(imported, ClipReference.tokens("text_tokens.npy"), 8),
                "safetensors text");
        assertClose(
                ClipReference.npy("image_embeds.npy").data(),
                image(imported, pixels, 3),
                "safetensors image");
    }

    private static float[] text(ClipImport imported, long[] ids, int rows) throws Exception {
        OrtTestSupport.FloatOutput out =
                OrtTestSupport.run(
                        imported.textEncoder(),
                        ClipGraphWriter.OUTPUT_TEXT,
                        Input.longs(ClipGraphWriter.INPUT_IDS, ids, rows, 77));
        assertArrayEquals(new long[] {rows, EMBED}, out.shape());
        return out.data();
    }

    private static float[] image(ClipImport imported, float[] px, int rows) throws Exception {
        OrtTestSupport.FloatOutput out =
                OrtTestSupport.run(
                        imported.imageEncoder(),
                        ClipGraphWriter.OUTPUT_IMAGE,
                        Input.floats(ClipGraphWriter.INPUT_PIXELS, px, rows, 3, 224, 224));
        assertArrayEquals(new long[] {rows, EMBED}, out.shape());
        return out.data();
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double err = ClipReference.maxRelativeError(actual, expected, EMBED);
        System.out.printf("%s: max relative error %.2e%n", what, err);
        assertTrue(err <= TOLERANCE, what + ": relative error " + err + " > " + TOLERANCE);
    }
}
