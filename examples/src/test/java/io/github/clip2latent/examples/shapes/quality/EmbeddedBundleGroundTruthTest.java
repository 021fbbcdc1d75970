package io.github.clip2latent.examples.shapes.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.examples.EmbeddedBundle;
import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.PaletteColor;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.examples.shapes.WorldAttributes;
import io.github.clip2latent.latent.EditDirection;
import io.github.clip2latent.runtime.RuntimeOptions;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * StyleGAN's tools on the embedded shapes-world bundle, checked against the ground truth of every
 * sampled latent: truncation, style mixing, an edit direction found from two prompts, and the
 * README's main job.
 */
class EmbeddedBundleGroundTruthTest {

    static final Path BUNDLE = EmbeddedBundle.path();
    static Clip2Latent model;
    static ShapesWorld world;

    @BeforeAll
    static void load() throws Exception {
        assumeTrue(
                Files.isDirectory(BUNDLE),
                "the embedded bundle is not built: " + BUNDLE.toAbsolutePath());
        model = Clip2Latent.load(BUNDLE, RuntimeOptions.cpu());
        world = QualityBenchmark.worldOf(ModelBundle.open(BUNDLE));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    private WorldAttributes truth(SampleResult result, int i) {
        return world.attributes(result.ws(), i);
    }

    @Test
    void truncationPullsEverySampleTowardsTheMeanAndZeroIsTheMean() {
        SampleResult free = model.prompt("a shape").samples(32).seed(5).sample();
        SampleResult half = model.prompt("a shape").samples(32).seed(5).truncate(0.5).sample();
        SampleResult zero = model.prompt("a shape").samples(4).seed(5).truncate(0).sample();
        WorldAttributes mean = world.attributesOfW(model.bundle().latentStats().mean());
        for (int i = 0; i < zero.count(); i++) {
            WorldAttributes t = truth(zero, i);
            assertEquals(mean.shape(), t.shape());
            assertEquals(mean.objectColor(), t.objectColor());
            assertEquals(mean.size(), t.size(), 1e-3);
        }
        assertTrue(
                spread(half) < 0.75 * spread(free),
                "truncation 0.5 should shrink the spread of size and position: "
                        + spread(half)
                        + " vs "
                        + spread(free));
    }

    private double spread(SampleResult result) {
        double sx = 0;
        double sy = 0;
        double ss = 0;
        double mx = 0;
        double my = 0;
        double ms = 0;
        int n = result.count();
        WorldAttributes[] t = new WorldAttributes[n];
        for (int i = 0; i < n; i++) {
            t[i] = truth(result, i);
            mx += t[i].centerX() / n;
            my += t[i].centerY() / n;
            ms += t[i].size() / n;
        }
        for (WorldAttributes a : t) {
            sx += Math.pow(a.centerX() - mx, 2);
            sy += Math.pow(a.centerY() - my, 2);
            ss += Math.pow(a.size() - ms, 2);
        }
        return Math.sqrt((sx + sy + ss) / n);
    }

    @Test
    void styleMixingTheFineLayersChangesColorAndKeepsShapeSizeAndPlace() {
        SampleResult plain = model.prompt("a red circle").samples(8).seed(11).sample();
        int recolored = 0;
        for (long mixSeed = 1; mixSeed <= 4; mixSeed++) {
            SampleResult mixed =
                    model.prompt("a red circle")
                            .samples(8)
                            .seed(11)
                            .styleMix(ShapesWorld.FINE_LAYERS, mixSeed)
                            .sample();
            for (int i = 0; i < 8; i++) {
                WorldAttributes a = truth(plain, i);
                WorldAttributes b = truth(mixed, i);
                assertEquals(a.shape(), b.shape());
                assertEquals(a.size(), b.size(), 1e-4);
                assertEquals(a.centerX(), b.centerX(), 1e-4);
                assertEquals(a.centerY(), b.centerY(), 1e-4);
                recolored +=
                        a.objectColor() != b.objectColor()
                                        || a.backgroundColor() != b.backgroundColor()
                                ? 1
                                : 0;
            }
        }
        assertTrue(
                recolored >= 16,
                "mixing the fine layers recolored only " + recolored + " of 32 images");
    }

    @Test
    void aRedVersusBlueDirectionTurnsBlueObjectsRed() {
        EditDirection redness = model.direction("a red shape", "a blue shape", 32, 3);
        // One candidate each: with re-ranking the edited images could win with another candidate,
        // and the test is about the edit of one latent.
        SampleResult blue = model.prompt("a blue square").samples(16).seed(21).sample();
        SampleResult edited =
                model.prompt("a blue square")
                        .samples(16)
                        .seed(21)
                        .edit(redness, 1.5, ShapesWorld.FINE_LAYERS)
                        .sample();
        int wasBlue = 0;
        int nowRed = 0;
        for (int i = 0; i < 16; i++) {
            WorldAttributes before = truth(blue, i);
            WorldAttributes after = truth(edited, i);
            assertEquals(
                    before.shape(), after.shape(), "an edit of the fine layers keeps the shape");
            if (before.objectColor() == PaletteColor.BLUE) {
                wasBlue++;
                nowRed += after.objectColor() == PaletteColor.RED ? 1 : 0;
            }
        }
        assertTrue(wasBlue >= 8, "only " + wasBlue + " of 16 'a blue square' samples were blue");
        assertTrue(
                nowRed >= 0.75 * wasBlue, nowRed + " of " + wasBlue + " blue objects turned red");
    }

    /**
     * The README's example prompts at best of 16, over 8 seeds each. Measured on shapes-world-v5:
     * "a red circle" 8/8, "a small blue square on the left" 8/8, "a large yellow triangle at the
     * bottom on a black background" 8/8 (v4: 8/8, 8/8, 0/8, its prior put objects at the bottom
     * only by accident of its uncalibrated text; v3: 7/8, 7/8, 0/8); the floors guard against
     * regressions, one seed below each.
     */
    @Test
    void theReadmeMainJobDrawsWhatItIsAskedFor() {
        String[] prompts = {
            "a red circle",
            "a small blue square on the left",
            "a large yellow triangle at the bottom on a black background"
        };
        int[] floors = README_FLOORS;
        for (int p = 0; p < prompts.length; p++) {
            int right = 0;
            for (long seed = 1; seed <= 8; seed++) {
                SampleResult result = model.prompt(prompts[p]).candidates(16).seed(seed).sample();
                right += Caption.parse(prompts[p]).check(truth(result, 0)).allConfirmed() ? 1 : 0;
            }
            System.err.println(prompts[p] + ": " + right + " of 8 seeds right");
            assertTrue(right >= floors[p], prompts[p] + ": " + right + " of 8 seeds right");
        }
    }

    /** Seeds (of 8) right per README prompt, as measured on the embedded bundle. */
    static final int[] README_FLOORS = {7, 7, 7};
}
