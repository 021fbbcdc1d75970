package io.github.clip2latent.examples.shapes.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.examples.shapes.PaletteColor;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.examples.shapes.WorldAttributes;
import io.github.clip2latent.examples.shapes.build.WorldClip;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.runtime.ImageEncoder;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.runtime.TextEncoder;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The embedded bundle's world CLIP reads word order: on fresh scenes with a clear object and
 * background color, "a X shape on a Y background" scores above the swapped "a Y shape on a X
 * background", through the bundle's own ONNX encoders; and the bundle records its trained tokens.
 */
class EmbeddedWorldClipTest {

    @Test
    void theEmbeddedClipTellsObjectFromBackgroundColor() throws Exception {
        // -Dworldclip.bundle=DIR checks another build's CLIP (e.g. a work folder's stage1).
        java.nio.file.Path dir =
                java.nio.file.Path.of(
                        System.getProperty(
                                "worldclip.bundle", EmbeddedBundleGroundTruthTest.BUNDLE.toString()));
        assumeTrue(Files.isDirectory(dir), "no embedded bundle");
        ModelBundle bundle = ModelBundle.open(dir);
        ShapesWorld world = QualityBenchmark.worldOf(bundle);
        assertEquals(
                Arrays.stream(WorldClip.trainedTokens(WorldClip.bundledTokenizer()).ids())
                        .boxed()
                        .toList(),
                bundle.manifest().tokenizer().knownTokenIds(),
                "the manifest records the trained token ids");
        SplittableRandom random = new SplittableRandom(2024);
        int rows = 400;
        float[] w = world.map(ShapesWorld.sampleZ(random, rows), rows);
        float[] ws = LayeredLatents.broadcast(w, rows, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
        float[] images = world.render(ws, rows);
        List<String> right = new ArrayList<>();
        List<String> swapped = new ArrayList<>();
        List<Integer> used = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            WorldAttributes t = world.attributes(ws, i);
            if (t.objectColorIsClear() && t.backgroundColorIsClear() && t.shapeIsClear()) {
                right.add(sentence(t.objectColor(), t.shape().word(), t.backgroundColor()));
                swapped.add(sentence(t.backgroundColor(), t.shape().word(), t.objectColor()));
                used.add(i);
            }
        }
        int n = used.size();
        int plane = 3 * ShapesWorld.IMAGE_SIZE * ShapesWorld.IMAGE_SIZE;
        float[] chosen = new float[n * plane];
        for (int k = 0; k < n; k++) {
            System.arraycopy(images, used.get(k) * plane, chosen, k * plane, plane);
        }
        int e = bundle.manifest().embeddingDim();
        SessionFactory sessions = new SessionFactory(RuntimeOptions.cpu());
        try (TextEncoder text = TextEncoder.open(bundle, sessions);
                ImageEncoder image = ImageEncoder.open(bundle, sessions)) {
            float[] img = image.encode(chosen, n, ShapesWorld.IMAGE_SIZE, ShapesWorld.IMAGE_SIZE);
            float[] r = text.encode(right);
            float[] s = text.encode(swapped);
            int wins = 0;
            for (int i = 0; i < n; i++) {
                wins += cosine(img, i, r, i, e) > cosine(img, i, s, i, e) ? 1 : 0;
            }
            double accuracy = (double) wins / n;
            float[] pair =
                    text.encode(
                            List.of(
                                    "a blue triangle on a white background",
                                    "a white triangle on a blue background"));
            double same = cosine(pair, 0, pair, 1, e);
            System.err.printf(
                    Locale.ROOT,
                    "swap pairs: %d of %d right (%.3f); cos(blue-on-white, white-on-blue) %.3f%n",
                    wins,
                    n,
                    accuracy,
                    same);
            assertTrue(accuracy >= SWAP_ACCURACY, "swap-pair accuracy " + accuracy);
            assertTrue(same < 0.95, "the swapped sentences embed alike: cosine " + same);
        }
    }

    /** Measured 0.997 (388 of 389) on the embedded shapes-world-v2; a regression guard. */
    static final double SWAP_ACCURACY = 0.95;

    private static String sentence(PaletteColor object, String shape, PaletteColor background) {
        String obj = object.word() + " " + shape;
        return ("aeiou".indexOf(obj.charAt(0)) >= 0 ? "an " : "a ")
                + obj
                + " on a "
                + background.word()
                + " background";
    }

    private static double cosine(float[] a, int i, float[] b, int j, int dim) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < dim; k++) {
            double x = a[i * dim + k];
            double y = b[j * dim + k];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return dot / Math.sqrt(na * nb);
    }
}
