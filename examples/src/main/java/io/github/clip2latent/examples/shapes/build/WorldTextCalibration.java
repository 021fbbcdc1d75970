package io.github.clip2latent.examples.shapes.build;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.TextCalibration;
import io.github.clip2latent.examples.shapes.CaptionWriter;
import io.github.clip2latent.examples.shapes.SceneCaption;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.runtime.ImageEncoder;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.runtime.TextEncoder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures the world CLIP's {@link TextCalibration}: renders seeded world scenes, writes one
 * training caption of each, embeds both through the bundle's encoders, and returns the map that
 * moves the captions' mean embedding onto the images' and scales the rest by the ratio of their mean
 * norms, {@code c = mean_i + (|i|/|t|)(e - mean_t)}. Of the maps measured on the v4 bundle (scale
 * alone, a shift alone, a shift on the unit sphere, per-dimension standard deviations, a ridge
 * regression from text to image embeddings), this one and the ridge regression were best and equal
 * within noise; it is the simpler (docs/quality.md, "text calibration").
 */
public final class WorldTextCalibration {

    /** Scenes measured. */
    public static final int SCENES = 2000;

    /** Seed of the scenes and their captions. */
    public static final long SEED = 2026_12_03L;

    private static final int CHUNK = 200;

    private WorldTextCalibration() {}

    /**
     * Measures the calibration of {@code bundle}'s encoders on {@value #SCENES} scenes of {@code
     * world}.
     *
     * @param bundle a bundle with the world CLIP's text and image encoders
     * @param world the world whose scenes and captions the CLIP was trained on
     * @return the calibration to record in the bundle
     * @throws IOException if the bundle's encoders do not open
     */
    public static TextCalibration measure(ModelBundle bundle, ShapesWorld world)
            throws IOException {
        int e = bundle.manifest().embeddingDim();
        double[] meanImage = new double[e];
        double[] meanText = new double[e];
        double imageNorm = 0;
        double textNorm = 0;
        SplittableRandom random = new SplittableRandom(SEED);
        SessionFactory sessions = new SessionFactory(RuntimeOptions.cpu());
        try (TextEncoder text = TextEncoder.open(bundle, sessions);
                ImageEncoder image = ImageEncoder.open(bundle, sessions)) {
            for (int start = 0; start < SCENES; start += CHUNK) {
                float[] w = world.map(ShapesWorld.sampleZ(random, CHUNK), CHUNK);
                float[] ws =
                        LayeredLatents.broadcast(w, CHUNK, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
                List<String> captions = new ArrayList<>(CHUNK);
                for (int i = 0; i < CHUNK; i++) {
                    SceneCaption said = CaptionWriter.describe(world.attributes(ws, i), random);
                    captions.add(said == null ? "a shape" : CaptionWriter.write(said, random));
                }
                float[] images =
                        image.encode(
                                world.render(ws, CHUNK),
                                CHUNK,
                                ShapesWorld.IMAGE_SIZE,
                                ShapesWorld.IMAGE_SIZE);
                float[] texts = text.encode(captions);
                imageNorm += accumulate(images, meanImage, e);
                textNorm += accumulate(texts, meanText, e);
            }
        }
        double scale = imageNorm / textNorm;
        float[] offset = new float[e];
        for (int k = 0; k < e; k++) {
            offset[k] = (float) ((meanImage[k] - scale * meanText[k]) / SCENES);
        }
        return new TextCalibration((float) scale, offset);
    }

    /** Adds the rows to {@code sums}; returns the sum of their norms. */
    private static double accumulate(float[] rows, double[] sums, int dim) {
        double norms = 0;
        for (int r = 0; r < rows.length / dim; r++) {
            double s = 0;
            for (int k = 0; k < dim; k++) {
                double v = rows[r * dim + k];
                sums[k] += v;
                s += v * v;
            }
            norms += Math.sqrt(s);
        }
        return norms;
    }
}
