package io.github.clip2latent.convert.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.OrtTestSupport;
import io.github.clip2latent.convert.OrtTestSupport.Input;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * ViT-B/32 at the published size with seeded random weights (605 MB of float32, written to a
 * temporary folder, never committed) loads and runs in ONNX Runtime. Agreement with PyTorch at this
 * size is checked by the benchmarks' {@code ClipSpeed}, which needs Python.
 */
@Tag("slow")
class ClipPublishedSizeTest {

    @TempDir Path dir;

    @Test
    void vitB32GraphPairLoadsAndRuns() throws Exception {
        ClipConfig config = ClipConfig.vitB32();
        ClipWeights weights = ClipWeights.random(config, 1);
        assertEquals(151_277_313L, weights.parameterCount()); // OpenAI's ViT-B-32.pt, logit_scale included
        Path image = dir.resolve("image.onnx");
        Path text = dir.resolve("text.onnx");
        ClipGraphWriter.writeImageEncoder(weights, "random", image);
        ClipGraphWriter.writeTextEncoder(weights, "random", text);
        weights = null; // let the 605 MB go before the sessions load

        float[] pixels = new float[2 * 3 * 224 * 224];
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextDouble(-1.8, 2.1);
        }
        OrtTestSupport.FloatOutput img =
                OrtTestSupport.run(
                        image,
                        "image_embeds",
                        Input.floats("pixel_values", pixels, 2, 3, 224, 224));
        assertArrayEquals(new long[] {2, 512}, img.shape());
        assertFiniteAndNonZero(img.data());

        long[] ids = new long[2 * 77];
        long[] prompt = {49406, 320, 8853, 539, 320, 900, 2533, 49407};
        System.arraycopy(prompt, 0, ids, 0, prompt.length);
        System.arraycopy(prompt, 0, ids, 77, 3);
        ids[77 + 3] = 49407;
        OrtTestSupport.FloatOutput txt =
                OrtTestSupport.run(text, "text_embeds", Input.longs("input_ids", ids, 2, 77));
        assertArrayEquals(new long[] {2, 512}, txt.shape());
        assertFiniteAndNonZero(txt.data());
    }

    private static void assertFiniteAndNonZero(float[] values) {
        double norm = 0;
        for (float v : values) {
            assertTrue(Float.isFinite(v), "non-finite embedding value");
            norm += v * v;
        }
        assertTrue(norm > 0, "all-zero embeddings");
    }
}
