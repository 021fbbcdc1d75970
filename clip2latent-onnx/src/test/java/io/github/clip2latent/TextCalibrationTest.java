package io.github.clip2latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.BundleManifest;
import io.github.clip2latent.bundle.BundleWriter;
import io.github.clip2latent.bundle.ManifestCodec;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.TextCalibration;
import io.github.clip2latent.conditioning.Similarity;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.runtime.ImageEncoder;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.runtime.TextEncoder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A bundle's text calibration: the map itself, its manifest field, and that sampling conditions the
 * prior on calibrated text while CLIP scores stay on the raw text embedding.
 */
class TextCalibrationTest {

    @TempDir Path dir;

    @Test
    void eachRowIsScaledThenShifted() {
        TextCalibration c = new TextCalibration(2f, new float[] {1f, -1f});
        assertArrayEquals(
                new float[] {3f, 3f, -1f, -1f}, c.apply(new float[] {1f, 2f, -1f, 0f}, 2));
        assertThrows(IllegalArgumentException.class, () -> c.apply(new float[3], 2));
    }

    @Test
    void invalidCalibrationsAreRefusedNamingTheField() {
        var scale =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new TextCalibration(0f, new float[] {1f}));
        assertTrue(scale.getMessage().contains("textCalibration.scale"), scale.getMessage());
        var offset =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new TextCalibration(1f, new float[] {1f, Float.NaN}));
        assertTrue(offset.getMessage().contains("textCalibration.offset[1]"), offset.getMessage());
    }

    @Test
    void aBundleRecordsItsCalibrationAndACopyKeepsIt() throws IOException {
        ModelBundle source =
                RandomBundles.write(dir.resolve("source"), RandomBundles.Spec.tiny(), 4);
        assertNull(source.manifest().textCalibration(), "none unless written");
        TextCalibration c = calibration(source.manifest().embeddingDim());
        ModelBundle calibrated =
                BundleWriter.basedOn(source, dir.resolve("calibrated")).textCalibration(c).write();
        assertEquals(c, calibrated.manifest().textCalibration());
        String json = Files.readString(calibrated.directory().resolve(BundleManifest.FILE_NAME));
        assertTrue(json.contains("\"textCalibration\""), json);
        assertEquals(
                c,
                ManifestCodec.read(calibrated.directory().resolve(BundleManifest.FILE_NAME))
                        .textCalibration());
        assertEquals(
                c,
                BundleWriter.basedOn(calibrated, dir.resolve("copy"))
                        .write()
                        .manifest()
                        .textCalibration());
        var wrongWidth =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                BundleWriter.basedOn(source, dir.resolve("wrong"))
                                        .textCalibration(new TextCalibration(1f, new float[3]))
                                        .write());
        assertTrue(
                wrongWidth.getMessage().contains("expected embeddingDim"), wrongWidth.getMessage());
        assertFalse(Files.exists(dir.resolve("wrong")), "nothing published");
    }

    @Test
    void thePriorReadsCalibratedTextAndScoresStayOnTheRawEmbedding() throws Exception {
        ModelBundle source =
                RandomBundles.write(dir.resolve("source"), RandomBundles.Spec.tiny(), 4);
        int e = source.manifest().embeddingDim();
        TextCalibration c = calibration(e);
        ModelBundle calibrated =
                BundleWriter.basedOn(source, dir.resolve("calibrated")).textCalibration(c).write();
        String prompt = "a red circle on a blue background";
        SessionFactory sessions = new SessionFactory(RuntimeOptions.cpu());
        try (Clip2Latent raw = Clip2Latent.load(source.directory(), RuntimeOptions.cpu());
                Clip2Latent withCalibration =
                        Clip2Latent.load(calibrated.directory(), RuntimeOptions.cpu());
                TextEncoder text = TextEncoder.open(source, sessions);
                ImageEncoder image = ImageEncoder.open(source, sessions)) {
            float[] embedding = text.encode(List.of(prompt));
            SampleResult fromPrompt = withCalibration.prompt(prompt).samples(2).seed(7).sample();
            SampleResult fromCondition =
                    raw.embedding(c.apply(embedding, 1)).samples(2).seed(7).sample();
            SampleResult uncalibrated = raw.prompt(prompt).samples(2).seed(7).sample();
            assertArrayEquals(fromCondition.w(), fromPrompt.w(), "the prior read c(e)");
            assertFalse(Arrays.equals(uncalibrated.w(), fromPrompt.w()), "and not e");
            float[] images =
                    image.encode(
                            fromPrompt.pixels(), 2, fromPrompt.height(), fromPrompt.width());
            for (int i = 0; i < 2; i++) {
                assertEquals(
                        Similarity.cosine(images, i * e, embedding, 0, e),
                        fromPrompt.clipScores()[i],
                        1e-5,
                        "score " + i + " is CLIP's cosine with the raw text embedding");
            }
        }
    }

    private static TextCalibration calibration(int dim) {
        float[] offset = new float[dim];
        for (int k = 0; k < dim; k++) {
            offset[k] = 0.3f * (k % 5) - 0.6f;
        }
        return new TextCalibration(3f, offset);
    }
}
