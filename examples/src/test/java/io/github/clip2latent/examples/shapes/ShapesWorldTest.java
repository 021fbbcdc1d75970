package io.github.clip2latent.examples.shapes;

import static io.github.clip2latent.examples.shapes.TestWorlds.PLANE;
import static io.github.clip2latent.examples.shapes.TestWorlds.WORLD;
import static io.github.clip2latent.examples.shapes.TestWorlds.WS_SIZE;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.latent.Truncation;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

class ShapesWorldTest {

    private static final int D = ShapesWorld.W_DIM;

    @Test
    void sameSeedGivesIdenticalGraphsAndOtherSeedsDoNot() {
        ShapesWorld again = ShapesWorld.create(TestWorlds.SEED);
        assertArrayEquals(
                ShapesGraphs.mapping(WORLD).toByteArray(),
                ShapesGraphs.mapping(again).toByteArray());
        assertArrayEquals(
                ShapesGraphs.synthesis(WORLD).toByteArray(),
                ShapesGraphs.synthesis(again).toByteArray());
        ShapesWorld other = ShapesWorld.create(TestWorlds.SEED + 1);
        assertFalse(
                Arrays.equals(
                        ShapesGraphs.synthesis(WORLD).toByteArray(),
                        ShapesGraphs.synthesis(other).toByteArray()));
        assertEquals(
                Long.toString(TestWorlds.SEED),
                ShapesGraphs.synthesis(WORLD).metadata().get(ShapesGraphs.SEED_KEY));
    }

    /** z ~ N(0, I) must cover every category about evenly, and sizes and centers their ranges. */
    @Test
    void attributesOfRandomLatentsAreBalanced() {
        int n = 5000;
        float[] w = TestWorlds.sampleW(12345, n);
        int[] shapes = new int[Shape.values().length];
        int[] objects = new int[PaletteColor.values().length];
        int[] backgrounds = new int[PaletteColor.values().length];
        int[] sizes = new int[SizeClass.values().length];
        int[] positions = new int[Position.values().length];
        int clearShapes = 0;
        int clearObjects = 0;
        int clearBackgrounds = 0;
        double minSize = Double.MAX_VALUE;
        double maxSize = 0;
        double minX = Double.MAX_VALUE;
        double maxX = 0;
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (int r = 0; r < n; r++) {
            WorldAttributes a = WORLD.attributesOfW(TestWorlds.row(w, r));
            shapes[a.shape().ordinal()]++;
            objects[a.objectColor().ordinal()]++;
            backgrounds[a.backgroundColor().ordinal()]++;
            assertNotEquals(
                    a.objectColor(),
                    a.backgroundColor(),
                    "background must avoid the object's color");
            if (a.sizeClass() != null) {
                sizes[a.sizeClass().ordinal()]++;
            }
            for (Position p : a.positions()) {
                positions[p.ordinal()]++;
            }
            clearShapes += a.shapeConfidence() >= 0.99 ? 1 : 0;
            clearObjects += a.objectColorConfidence() >= 0.99 ? 1 : 0;
            clearBackgrounds += a.backgroundColorConfidence() >= 0.99 ? 1 : 0;
            minSize = Math.min(minSize, a.size());
            maxSize = Math.max(maxSize, a.size());
            minX = Math.min(minX, a.centerX());
            maxX = Math.max(maxX, a.centerX());
            minY = Math.min(minY, a.centerY());
            maxY = Math.max(maxY, a.centerY());
        }
        String report =
                "shapes "
                        + Arrays.toString(shapes)
                        + " objects "
                        + Arrays.toString(objects)
                        + " backgrounds "
                        + Arrays.toString(backgrounds)
                        + " small/large "
                        + Arrays.toString(sizes)
                        + " left/right/top/bottom/center "
                        + Arrays.toString(positions);
        for (int count : shapes) {
            assertShare(count, n, 0.30, 0.37, report);
        }
        for (int count : objects) {
            assertShare(count, n, 0.10, 0.15, report);
        }
        for (int count : backgrounds) {
            assertShare(count, n, 0.10, 0.15, report);
        }
        // Uniform sizes would give 5/14 = 0.36 to each class; uniform centers 10/32 = 0.31 to each
        // side and (8/32)^2 = 0.06 to the center.
        for (int count : sizes) {
            assertShare(count, n, 0.28, 0.45, report);
        }
        for (Position p :
                new Position[] {Position.LEFT, Position.RIGHT, Position.TOP, Position.BOTTOM}) {
            assertShare(positions[p.ordinal()], n, 0.25, 0.40, report);
        }
        assertShare(positions[Position.CENTER.ordinal()], n, 0.03, 0.10, report);
        assertTrue(minSize < 7 && maxSize > 19, "sizes span " + minSize + " .. " + maxSize);
        assertTrue(
                minX < 18 && maxX > 46 && minY < 18 && maxY > 46,
                "centers span x " + minX + " .. " + maxX + ", y " + minY + " .. " + maxY);
        // Sharp soft-max: almost every sample is within 1 % of one category.
        assertShare(clearShapes, n, 0.95, 1, "clear shapes");
        assertShare(clearObjects, n, 0.95, 1, "clear object colors");
        assertShare(clearBackgrounds, n, 0.95, 1, "clear background colors");
    }

    /**
     * The read-out must agree with what is drawn: object color at the center, background in the far
     * corner.
     */
    @Test
    void truthAgreesWithRenderedPixels() {
        int n = 300;
        float[] ws = LayeredLatents.broadcast(TestWorlds.sampleW(99, n), n, ShapesWorld.NUM_WS, D);
        float[] images = WORLD.render(ws, n);
        int checked = 0;
        for (int r = 0; r < n; r++) {
            WorldAttributes a = WORLD.attributes(ws, r);
            if (a.objectColorConfidence() >= 0.99) {
                int[] center = TestWorlds.pixel(images, r, a.centerX(), a.centerY());
                assertTrue(
                        TestWorlds.distance(center, a.objectColor()) <= 3,
                        "center " + Arrays.toString(center) + " of " + a);
                checked++;
            }
            if (a.backgroundColorConfidence() >= 0.99) {
                // The farthest corner is at least 31.5 px away on both axes; no shape reaches it.
                double x = a.centerX() < 32 ? 63.5 : 0.5;
                double y = a.centerY() < 32 ? 63.5 : 0.5;
                int[] corner = TestWorlds.pixel(images, r, x, y);
                assertTrue(
                        TestWorlds.distance(corner, a.backgroundColor()) <= 3,
                        "corner " + Arrays.toString(corner) + " of " + a);
            }
        }
        assertTrue(checked > 0.9 * n, "checked " + checked);
    }

    /**
     * The drawn area must be the named shape's area at the read-out size: pi s^2, 4 s^2 or sqrt(3)
     * s^2.
     */
    @Test
    void drawnAreaMatchesShapeAndSize() {
        int n = 400;
        float[] ws =
                LayeredLatents.broadcast(TestWorlds.sampleW(2024, n), n, ShapesWorld.NUM_WS, D);
        float[] images = WORLD.render(ws, n);
        int[] checked = new int[Shape.values().length];
        for (int r = 0; r < n; r++) {
            WorldAttributes a = WORLD.attributes(ws, r);
            double s = a.size();
            double top = a.shape() == Shape.TRIANGLE ? 2 * s / Math.sqrt(3) : s;
            double bottom = a.shape() == Shape.TRIANGLE ? s / Math.sqrt(3) : s;
            boolean inside =
                    a.centerX() - s > 1
                            && a.centerX() + s < 63
                            && a.centerY() - top > 1
                            && a.centerY() + bottom < 63;
            if (!inside
                    || a.shapeConfidence() < 0.999
                    || a.objectColorConfidence() < 0.999
                    || a.backgroundColorConfidence() < 0.999) {
                continue;
            }
            // Coverage from the channel where object and background differ most.
            int channel = 0;
            double widest = 0;
            for (int c = 0; c < 3; c++) {
                double gap =
                        Math.abs(
                                a.objectColor().generatorValue(c)
                                        - a.backgroundColor().generatorValue(c));
                if (gap > widest) {
                    widest = gap;
                    channel = c;
                }
            }
            double object = a.objectColor().generatorValue(channel);
            double background = a.backgroundColor().generatorValue(channel);
            double area = 0;
            for (int p = 0; p < PLANE; p++) {
                area +=
                        (images[(r * 3 + channel) * PLANE + p] - background)
                                / (object - background);
            }
            double expected =
                    switch (a.shape()) {
                        case CIRCLE -> Math.PI * s * s;
                        case SQUARE -> 4 * s * s;
                        case TRIANGLE -> Math.sqrt(3) * s * s;
                    };
            assertEquals(expected, area, 0.03 * expected, a.toString());
            checked[a.shape().ordinal()]++;
        }
        for (int count : checked) {
            assertTrue(count >= 10, "checked per shape " + Arrays.toString(checked));
        }
    }

    /** StyleGAN's split: mixing layers 2-3 changes colors only; mixing layers 0-1 keeps colors. */
    @Test
    void styleMixingSeparatesGeometryFromColor() {
        int n = 200;
        float[] base = LayeredLatents.broadcast(TestWorlds.sampleW(1, n), n, ShapesWorld.NUM_WS, D);
        float[] donor =
                LayeredLatents.broadcast(TestWorlds.sampleW(2, n), n, ShapesWorld.NUM_WS, D);
        float[] fineMixed = base.clone();
        LayeredLatents.styleMixInPlace(
                fineMixed, donor, n, ShapesWorld.NUM_WS, D, ShapesWorld.FINE_LAYERS);
        float[] coarseMixed = base.clone();
        LayeredLatents.styleMixInPlace(
                coarseMixed, donor, n, ShapesWorld.NUM_WS, D, ShapesWorld.COARSE_LAYERS);
        int colorChanges = 0;
        int geometryChanges = 0;
        for (int r = 0; r < n; r++) {
            WorldAttributes original = WORLD.attributes(base, r);
            WorldAttributes colors = WORLD.attributes(donor, r);
            WorldAttributes fine = WORLD.attributes(fineMixed, r);
            assertEquals(original.shape(), fine.shape());
            assertEquals(original.shapeConfidence(), fine.shapeConfidence());
            assertEquals(original.size(), fine.size());
            assertEquals(original.centerX(), fine.centerX());
            assertEquals(original.centerY(), fine.centerY());
            assertEquals(colors.objectColor(), fine.objectColor());
            assertEquals(colors.backgroundColor(), fine.backgroundColor());
            colorChanges += fine.objectColor() != original.objectColor() ? 1 : 0;

            WorldAttributes coarse = WORLD.attributes(coarseMixed, r);
            assertEquals(original.objectColor(), coarse.objectColor());
            assertEquals(original.backgroundColor(), coarse.backgroundColor());
            assertEquals(original.objectColorConfidence(), coarse.objectColorConfidence());
            assertEquals(colors.shape(), coarse.shape());
            assertEquals(colors.size(), coarse.size());
            geometryChanges += coarse.centerX() != original.centerX() ? 1 : 0;
        }
        assertTrue(colorChanges > 0.8 * n, "object color changed in " + colorChanges + " of " + n);
        assertEquals(n, geometryChanges);
    }

    /** psi = 0 gives the mean w's image; smaller psi pulls size and center toward their middles. */
    @Test
    void truncationMovesTowardTheMeanImage() {
        LatentStats stats = WORLD.latentStats(4096, 5);
        float[] mean = stats.mean();
        WorldAttributes meanAttributes = WORLD.attributesOfW(mean);
        int n = 500;
        float[] w = TestWorlds.sampleW(77, n);
        float[] zero = w.clone();
        Truncation.applyInPlace(zero, n, mean, 0f);
        float[] half = w.clone();
        Truncation.applyInPlace(half, n, mean, 0.5f);
        double spreadFull = 0;
        double spreadHalf = 0;
        for (int r = 0; r < n; r++) {
            assertEquals(meanAttributes, WORLD.attributesOfW(TestWorlds.row(zero, r)));
            WorldAttributes full = WORLD.attributesOfW(TestWorlds.row(w, r));
            WorldAttributes truncated = WORLD.attributesOfW(TestWorlds.row(half, r));
            spreadFull +=
                    Math.abs(full.centerX() - meanAttributes.centerX())
                            + Math.abs(full.size() - meanAttributes.size());
            spreadHalf +=
                    Math.abs(truncated.centerX() - meanAttributes.centerX())
                            + Math.abs(truncated.size() - meanAttributes.size());
        }
        assertTrue(
                spreadHalf < 0.7 * spreadFull,
                "spread at psi 0.5 " + spreadHalf + " vs psi 1 " + spreadFull);
        // The mean w sits at the middle of every range, as the median-centered read-outs intend.
        assertEquals(32, meanAttributes.centerX(), 3);
        assertEquals(32, meanAttributes.centerY(), 3);
        assertEquals(13, meanAttributes.size(), 2);
    }

    @Test
    void rejectsBadInputs() {
        assertThrows(
                IllegalArgumentException.class, () -> WORLD.attributes(new float[WS_SIZE - 1]));
        assertThrows(IllegalArgumentException.class, () -> WORLD.attributes(new float[WS_SIZE], 1));
        assertThrows(
                IllegalArgumentException.class, () -> WORLD.map(new float[ShapesWorld.Z_DIM], 2));
        assertThrows(IllegalArgumentException.class, () -> WORLD.render(new float[WS_SIZE], 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> ShapesWorld.sampleZ(new SplittableRandom(1), 0));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new WorldAttributes(
                                Shape.CIRCLE,
                                5.9,
                                32,
                                32,
                                PaletteColor.RED,
                                PaletteColor.BLUE,
                                1,
                                1,
                                1));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new WorldAttributes(
                                Shape.CIRCLE,
                                10,
                                Double.NaN,
                                32,
                                PaletteColor.RED,
                                PaletteColor.BLUE,
                                1,
                                1,
                                1));
    }

    private static void assertShare(int count, int n, double min, double max, String report) {
        double share = (double) count / n;
        assertTrue(
                share >= min && share <= max,
                "share " + share + " not in [" + min + ", " + max + "]: " + report);
    }
    /**
     * Each edit changes its attribute, as the true attributes of the rendered twin say, and leaves
     * every other exactly; it applies to a useful share of random scenes; a planted wrong check
     * (mirroring accepted as a shape change) is refused.
     */
    @Test
    void everyEditChangesOneAttributeAndKeepsTheOthers() {
        SplittableRandom random = new SplittableRandom(31);
        int rows = 200;
        float[] w = WORLD.map(ShapesWorld.sampleZ(random, rows), rows);
        float[] ws = LayeredLatents.broadcast(w, rows, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
        for (SceneEdit edit : SceneEdit.values()) {
            int applied = 0;
            for (int i = 0; i < rows; i++) {
                float[] twin = WORLD.edited(ws, i, edit);
                if (twin == null) {
                    continue;
                }
                applied++;
                WorldAttributes before = WORLD.attributes(ws, i);
                WorldAttributes after = WORLD.attributes(twin);
                boolean colors =
                        before.objectColor() == after.objectColor()
                                && before.backgroundColor() == after.backgroundColor();
                boolean swapped =
                        before.objectColor() == after.backgroundColor()
                                && before.backgroundColor() == after.objectColor();
                boolean shape = before.shape() == after.shape();
                boolean size = Math.abs(before.size() - after.size()) < 1e-3;
                boolean x = Math.abs(before.centerX() - after.centerX()) < 1e-3;
                boolean y = Math.abs(before.centerY() - after.centerY()) < 1e-3;
                boolean[] expected =
                        switch (edit) {
                            case SWAP_COLORS -> new boolean[] {swapped, shape, size, x, y};
                            case NEXT_SHAPE ->
                                    new boolean[] {
                                        colors,
                                        after.shape().ordinal()
                                                == (before.shape().ordinal() + 1) % 3,
                                        size,
                                        x,
                                        y
                                    };
                            case MIRROR_HORIZONTAL ->
                                    new boolean[] {
                                        colors,
                                        shape,
                                        size,
                                        Math.abs(before.centerX() + after.centerX() - 64) < 1e-3,
                                        y
                                    };
                            case MIRROR_VERTICAL ->
                                    new boolean[] {
                                        colors,
                                        shape,
                                        size,
                                        x,
                                        Math.abs(before.centerY() + after.centerY() - 64) < 1e-3
                                    };
                            case FLIP_SIZE ->
                                    new boolean[] {
                                        colors,
                                        shape,
                                        after.sizeClass() != before.sizeClass()
                                                && after.sizeClass() != null,
                                        x,
                                        y
                                    };
                        };
                for (int k = 0; k < expected.length; k++) {
                    assertTrue(expected[k], edit + " row " + i + " check " + k + ": " + before + " -> " + after);
                }
            }
            assertTrue(applied >= rows / 10, edit + " applied to " + applied + " of " + rows);
        }
        int refused = 0;
        for (int i = 0; i < rows; i++) {
            float[] mirrored = WORLD.edited(ws, i, SceneEdit.MIRROR_HORIZONTAL);
            if (mirrored != null) {
                WorldAttributes before = WORLD.attributes(ws, i);
                WorldAttributes after = WORLD.attributes(mirrored);
                assertTrue(SceneEdit.MIRROR_HORIZONTAL.changed(before, after));
                refused += SceneEdit.NEXT_SHAPE.changed(before, after) ? 0 : 1;
                refused += SceneEdit.MIRROR_VERTICAL.changed(before, after) ? 0 : 1;
            }
        }
        assertTrue(refused > 0);
    }
}
