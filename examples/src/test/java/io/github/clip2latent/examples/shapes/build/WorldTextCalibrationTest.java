package io.github.clip2latent.examples.shapes.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.TextCalibration;
import io.github.clip2latent.examples.EmbeddedBundle;
import io.github.clip2latent.examples.shapes.CaptionWriter;
import io.github.clip2latent.examples.shapes.SceneCaption;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.examples.shapes.quality.QualityBenchmark;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.runtime.ImageEncoder;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.runtime.TextEncoder;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The build's text calibration, measured on the embedded bundle's encoders, carries over to scenes
 * it was not measured on: there the calibrated captions' mean is close to the images' mean and
 * their mean norm to the images', where the raw captions' are far from both.
 */
class WorldTextCalibrationTest {

    @Test
    void onFreshScenesCalibratedCaptionsShareTheImagesMeanAndNorm() throws Exception {
        ModelBundle bundle = ModelBundle.open(EmbeddedBundle.path());
        ShapesWorld world = QualityBenchmark.worldOf(bundle);
        TextCalibration calibration = WorldTextCalibration.measure(bundle, world);
        int n = 400;
        int e = bundle.manifest().embeddingDim();
        SplittableRandom random = new SplittableRandom(77);
        float[] ws =
                LayeredLatents.broadcast(
                        world.map(ShapesWorld.sampleZ(random, n), n),
                        n,
                        ShapesWorld.NUM_WS,
                        ShapesWorld.W_DIM);
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SceneCaption said = CaptionWriter.describe(world.attributes(ws, i), random);
            captions.add(said == null ? "a shape" : CaptionWriter.write(said, random));
        }
        SessionFactory sessions = new SessionFactory(RuntimeOptions.cpu());
        try (TextEncoder text = TextEncoder.open(bundle, sessions);
                ImageEncoder image = ImageEncoder.open(bundle, sessions)) {
            float[] images =
                    image.encode(
                            world.render(ws, n), n, ShapesWorld.IMAGE_SIZE, ShapesWorld.IMAGE_SIZE);
            float[] raw = text.encode(captions);
            float[] calibrated = calibration.apply(raw, n);
            double imageNorm = meanNorm(images, n, e);
            double gapRaw = distance(mean(raw, n, e), mean(images, n, e));
            double gapCalibrated = distance(mean(calibrated, n, e), mean(images, n, e));
            String figures =
                    String.format(
                            Locale.ROOT,
                            "image norm %.2f, caption norm raw %.2f calibrated %.2f; distance of"
                                    + " means raw %.2f calibrated %.2f",
                            imageNorm,
                            meanNorm(raw, n, e),
                            meanNorm(calibrated, n, e),
                            gapRaw,
                            gapCalibrated);
            // The map scales the spread around the mean by the ratio of mean norms, which is not
            // the ratio of spreads: v4 measured 62.0 against the images' 55.4 (raw 11.1).
            assertEquals(imageNorm, meanNorm(calibrated, n, e), 0.15 * imageNorm, figures);
            assertTrue(gapCalibrated < 0.1 * imageNorm, figures);
            assertTrue(gapCalibrated < gapRaw / 5, figures);
        }
    }

    private static double[] mean(float[] rows, int n, int e) {
        double[] m = new double[e];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < e; k++) {
                m[k] += rows[i * e + k] / (double) n;
            }
        }
        return m;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (a[k] - b[k]) * (a[k] - b[k]);
        }
        return Math.sqrt(s);
    }

    private static double meanNorm(float[] rows, int n, int e) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < e; k++) {
                s += rows[i * e + k] * rows[i * e + k];
            }
            sum += Math.sqrt(s) / n;
        }
        return sum;
    }
}
