package io.github.clip2latent.examples.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

class CaptionTest {

    /** A clear large yellow triangle at the bottom left on black. */
    private static final WorldAttributes YELLOW_TRIANGLE =
            new WorldAttributes(
                    Shape.TRIANGLE,
                    17,
                    20,
                    44,
                    PaletteColor.YELLOW,
                    PaletteColor.BLACK,
                    1,
                    0.999,
                    0.998);

    @Test
    void writesTheIssueExamples() {
        assertEquals(
                "a red circle",
                Caption.of(Shape.CIRCLE, null, PaletteColor.RED, null, null).text());
        assertEquals(
                "a small blue square on the left",
                Caption.of(Shape.SQUARE, SizeClass.SMALL, PaletteColor.BLUE, Position.LEFT, null)
                        .text());
        assertEquals(
                "a large yellow triangle at the bottom on a black background",
                Caption.of(
                                Shape.TRIANGLE,
                                SizeClass.LARGE,
                                PaletteColor.YELLOW,
                                Position.BOTTOM,
                                PaletteColor.BLACK)
                        .text());
    }

    @Test
    void writesTheOtherTemplatesAndArticles() {
        assertEquals(
                "an orange shape", Caption.of(null, null, PaletteColor.ORANGE, null, null).text());
        assertEquals(
                "a black background with a small circle in the center",
                new Caption(
                                Shape.CIRCLE,
                                SizeClass.SMALL,
                                null,
                                Position.CENTER,
                                PaletteColor.BLACK,
                                CaptionTemplate.BACKGROUND_FIRST)
                        .text());
        assertEquals(
                "at the top, a green square on an orange background",
                new Caption(
                                Shape.SQUARE,
                                null,
                                PaletteColor.GREEN,
                                Position.TOP,
                                PaletteColor.ORANGE,
                                CaptionTemplate.POSITION_FIRST)
                        .text());
        assertEquals(
                "a shape on the right", Caption.of(null, null, null, Position.RIGHT, null).text());
    }

    @Test
    void parsesWhatItWritesAndCommonVariants() {
        Caption full =
                Caption.of(
                        Shape.TRIANGLE,
                        SizeClass.LARGE,
                        PaletteColor.YELLOW,
                        Position.BOTTOM,
                        PaletteColor.BLACK);
        assertEquals(full, Caption.parse(full.text()));
        assertEquals(
                Caption.of(Shape.CIRCLE, SizeClass.SMALL, PaletteColor.RED, Position.CENTER, null),
                Caption.parse("A small red circle in the centre."));
        Caption backgroundFirst = Caption.parse("a white background with a purple square");
        assertEquals(CaptionTemplate.BACKGROUND_FIRST, backgroundFirst.template());
        assertEquals(PaletteColor.WHITE, backgroundFirst.background());
        assertEquals(PaletteColor.PURPLE, backgroundFirst.color());
        Caption positionFirst = Caption.parse("On the left, an orange shape");
        assertEquals(
                new Caption(
                        null,
                        null,
                        PaletteColor.ORANGE,
                        Position.LEFT,
                        null,
                        CaptionTemplate.POSITION_FIRST),
                positionFirst);
    }

    @Test
    void rejectsTextOutsideTheGrammar() {
        assertThrows(IllegalArgumentException.class, () -> Caption.parse("a red hexagon"));
        assertThrows(IllegalArgumentException.class, () -> Caption.parse("a red blue circle"));
        assertThrows(IllegalArgumentException.class, () -> Caption.parse("a circle square"));
        assertThrows(IllegalArgumentException.class, () -> Caption.parse("a shape"));
        assertThrows(
                IllegalArgumentException.class, () -> Caption.of(null, null, null, null, null));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new Caption(
                                Shape.CIRCLE,
                                null,
                                null,
                                null,
                                null,
                                CaptionTemplate.POSITION_FIRST));
    }

    @Test
    void checksEachNamedAttribute() {
        Caption right =
                Caption.parse("a large yellow triangle at the bottom on a black background");
        CaptionCheck all = right.check(YELLOW_TRIANGLE);
        assertTrue(all.allConfirmed());
        assertEquals(1.0, all.fraction());
        assertTrue(right.matches(YELLOW_TRIANGLE));

        Caption partly = Caption.parse("a small yellow square on the left on a white background");
        CaptionCheck check = partly.check(YELLOW_TRIANGLE);
        assertEquals(EnumSet.allOf(CaptionAttribute.class), check.named());
        assertEquals(
                EnumSet.of(CaptionAttribute.COLOR, CaptionAttribute.POSITION), check.confirmed());
        assertEquals(0.4, check.fraction(), 1e-12);
        assertFalse(partly.matches(YELLOW_TRIANGLE));
    }

    @Test
    void sizeAndPositionWordsHaveGaps() {
        WorldAttributes middle =
                new WorldAttributes(
                        Shape.CIRCLE, 13, 32, 27, PaletteColor.RED, PaletteColor.BLUE, 1, 1, 1);
        assertEquals(null, middle.sizeClass());
        assertEquals(Set.of(), middle.positions());
        assertFalse(Caption.parse("a small circle").matches(middle));
        assertFalse(Caption.parse("a large circle").matches(middle));
        assertFalse(Caption.parse("a circle in the center").matches(middle));
        assertFalse(Caption.parse("a circle at the top").matches(middle));
        assertEquals(
                Set.of(CaptionAttribute.SHAPE, CaptionAttribute.COLOR, CaptionAttribute.BACKGROUND),
                Set.copyOf(Caption.unambiguous(middle)));
        WorldAttributes corner =
                new WorldAttributes(
                        Shape.CIRCLE,
                        10.9,
                        25.9,
                        38.1,
                        PaletteColor.RED,
                        PaletteColor.BLUE,
                        0.5,
                        0.89,
                        0.9);
        assertEquals(SizeClass.SMALL, corner.sizeClass());
        assertEquals(EnumSet.of(Position.LEFT, Position.BOTTOM), corner.positions());
        // Confidences 0.5 and 0.89 are blends: the shape and object color must not be named.
        assertEquals(
                Set.of(
                        CaptionAttribute.SIZE,
                        CaptionAttribute.POSITION,
                        CaptionAttribute.BACKGROUND),
                Set.copyOf(Caption.unambiguous(corner)));
    }

    /** Random captions of real samples are always right, cover every attribute, and parse back. */
    @Test
    void describedCaptionsAreTrueAndVaried() {
        int n = 3000;
        float[] w = TestWorlds.sampleW(31, n);
        SplittableRandom random = new SplittableRandom(32);
        Map<CaptionAttribute, Integer> named = new EnumMap<>(CaptionAttribute.class);
        Map<CaptionTemplate, Integer> templates = new EnumMap<>(CaptionTemplate.class);
        int described = 0;
        for (int r = 0; r < n; r++) {
            WorldAttributes truth = TestWorlds.WORLD.attributesOfW(TestWorlds.row(w, r));
            Optional<Caption> caption = Caption.describe(truth, random);
            if (caption.isEmpty()) {
                continue;
            }
            described++;
            Caption c = caption.get();
            assertTrue(c.matches(truth), c + " for " + truth);
            assertTrue(Caption.unambiguous(truth).containsAll(c.named()), c + " for " + truth);
            assertEquals(c, Caption.parse(c.text()));
            c.named().forEach(a -> named.merge(a, 1, Integer::sum));
            templates.merge(c.template(), 1, Integer::sum);
        }
        assertTrue(described > 0.99 * n, "described " + described);
        for (CaptionAttribute a : CaptionAttribute.values()) {
            assertTrue(named.getOrDefault(a, 0) > 0.2 * n, a + " named " + named);
        }
        for (CaptionTemplate t : CaptionTemplate.values()) {
            assertTrue(templates.getOrDefault(t, 0) > 0.1 * n, t + " used " + templates);
        }
        assertNotEquals(
                Caption.describe(
                        TestWorlds.WORLD.attributesOfW(TestWorlds.row(w, 0)),
                        new SplittableRandom(1)),
                Optional.empty());
    }
}
