package io.github.clip2latent.examples.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.examples.shapes.build.WorldClip;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.tokenizer.ClipTokenizer;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/** The training captions: what they say is true, how they say it varies, what they never say. */
class CaptionWriterTest {

    /** The benchmark's reserved frames (world-contract.md), on canonical text. */
    private static final List<Pattern> RESERVED =
            List.of(
                    Pattern.compile("^on an? \\w+ background "), // B1
                    Pattern.compile("with an? \\w+ background$"), // B2, B4
                    Pattern.compile("background (on|to|at|near|in) the"), // B3
                    Pattern.compile("^the "), // T1
                    Pattern.compile("^(on|to|at|near|in) the [\\w ]+ the (?!background)")); // T2

    @Test
    void describedCaptionsAreTrueVariedAndNeverReserved() {
        SplittableRandom random = new SplittableRandom(5);
        ClipTokenizer tokenizer = WorldClip.bundledTokenizer();
        int rows = 400;
        float[] w = TestWorlds.WORLD.map(ShapesWorld.sampleZ(random, rows), rows);
        float[] ws = LayeredLatents.broadcast(w, rows, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
        Set<String> texts = new HashSet<>();
        int backgrounds = 0;
        int corners = 0;
        int longest = 0;
        for (int i = 0; i < rows; i++) {
            WorldAttributes truth = TestWorlds.WORLD.attributes(ws, i);
            SceneCaption c = CaptionWriter.describe(truth, random);
            if (c == null) {
                continue;
            }
            assertTrue(c.matches(truth), c + " vs " + truth);
            assertFalse(CaptionWriter.isHeldOut(c), c.toString());
            backgrounds += c.background() != null ? 1 : 0;
            corners += c.positions().size() == 2 ? 1 : 0;
            for (String text : CaptionWriter.allTexts(c)) {
                String canonical = CaptionWriter.canonical(text);
                for (Pattern p : RESERVED) {
                    assertFalse(p.matcher(canonical).find(), "reserved frame " + p + ": " + text);
                }
                assertTrue(CaptionWriter.canWrite(text), text);
                longest = Math.max(longest, tokenizer.encode(text).length + 2);
                texts.add(text);
            }
        }
        assertTrue(backgrounds > rows / 2, "background named in " + backgrounds);
        assertTrue(corners > 10, "corners " + corners);
        assertTrue(texts.size() > 5000, "distinct texts " + texts.size());
        // With one filler word, every caption fits the context.
        assertTrue(longest + 1 <= WorldClip.CONTEXT_LENGTH, "longest caption " + longest);
    }

    @Test
    void phrasingsCoverTheIssuesExamplesAndCanWriteKnowsThem() {
        SceneCaption red =
                new SceneCaption(
                        Shape.CIRCLE, null, PaletteColor.RED, Set.of(), PaletteColor.BLUE);
        List<String> texts = CaptionWriter.allTexts(red);
        assertTrue(texts.contains("a red circle on a blue background"), texts.toString());
        assertTrue(texts.contains("on blue, a red circle"), texts.toString());
        assertTrue(texts.contains("red circle, blue background"), texts.toString());
        assertTrue(texts.contains("a red circle. the background is blue"), texts.toString());
        SceneCaption small =
                new SceneCaption(
                        Shape.CIRCLE,
                        SizeClass.SMALL,
                        PaletteColor.RED,
                        EnumSet.of(Position.CENTER),
                        null);
        List<String> smallTexts = CaptionWriter.allTexts(small);
        for (String t :
                List.of(
                        "a small red circle in the middle",
                        "a tiny red circle in the centre",
                        "a little red circle in the center")) {
            assertTrue(smallTexts.contains(t), t);
            assertTrue(CaptionWriter.canWrite(t.toUpperCase() + "."), t);
        }
        assertTrue(
                CaptionWriter.canWrite("a big purple square in the upper left corner"),
                "corner");
        assertFalse(CaptionWriter.canWrite("on a blue background, a red circle"), "B1");
        assertFalse(CaptionWriter.canWrite("a red circle, with a white background"), "B2");
        assertFalse(CaptionWriter.canWrite("the red circle"), "T1");
        assertFalse(CaptionWriter.canWrite("a yellow circle"), "held out");
        assertFalse(CaptionWriter.canWrite("a red hexagon"), "unknown noun");
    }

    @Test
    void swappedTwinsExchangeColorsOnly() {
        SplittableRandom random = new SplittableRandom(8);
        int rows = 50;
        float[] w = TestWorlds.WORLD.map(ShapesWorld.sampleZ(random, rows), rows);
        float[] ws = LayeredLatents.broadcast(w, rows, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
        int swapped = 0;
        for (int i = 0; i < rows; i++) {
            WorldAttributes before = TestWorlds.WORLD.attributes(ws, i);
            float[] twin = TestWorlds.WORLD.edited(ws, i, SceneEdit.SWAP_COLORS);
            if (twin == null) {
                continue;
            }
            swapped++;
            WorldAttributes after = TestWorlds.WORLD.attributes(twin);
            assertEquals(before.objectColor(), after.backgroundColor());
            assertEquals(before.backgroundColor(), after.objectColor());
            assertEquals(before.shape(), after.shape());
            assertEquals(before.size(), after.size(), 1e-3);
            assertEquals(before.centerX(), after.centerX(), 1e-3);
        }
        assertTrue(swapped > rows * 0.8, "swapped " + swapped + " of " + rows);
    }

    @Test
    void describeNamesOnlyClearAttributes() {
        WorldAttributes blurred =
                new WorldAttributes(
                        Shape.CIRCLE, 13, 32, 32, PaletteColor.RED, PaletteColor.BLUE, 0.5, 0.5,
                        0.5);
        // Middle size, a center in the gap of no region... (32, 32) is the center region.
        SceneCaption c = CaptionWriter.describe(blurred, EnumSet.allOf(CaptionAttribute.class),
                new SplittableRandom(1));
        assertNotNull(c);
        assertNull(c.shape());
        assertNull(c.color());
        assertNull(c.background());
        assertEquals(Set.of(Position.CENTER), c.positions());
    }
}
