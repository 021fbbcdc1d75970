package io.github.clip2latent.examples.shapes.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.PaletteColor;
import io.github.clip2latent.examples.shapes.Position;
import io.github.clip2latent.examples.shapes.Shape;
import io.github.clip2latent.examples.shapes.SizeClass;
import io.github.clip2latent.examples.shapes.WorldAttributes;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

class BenchmarkPromptsTest {

    @Test
    void atLeastFiftyDistinctPromptsCoverEveryAttributeValueAndTheUnseenPairs() {
        List<Caption> captions = BenchmarkPrompts.captions();
        assertTrue(captions.size() >= 50, "only " + captions.size() + " prompts");
        Set<String> texts = new HashSet<>();
        Set<Object> values = new HashSet<>();
        int heldOut = 0;
        for (Caption c : captions) {
            assertTrue(texts.add(c.text()), "duplicate prompt " + c.text());
            assertEquals(c, Caption.parse(c.text()), "prompt parses back: " + c.text());
            values.add(c.shape());
            values.add(c.size());
            values.add(c.color());
            values.add(c.position());
            if (c.background() != null) {
                values.add("background " + c.background());
            }
            heldOut += BenchmarkPrompts.namesHeldOutPair(c) ? 1 : 0;
        }
        for (Shape s : Shape.values()) {
            assertTrue(values.contains(s), s.toString());
        }
        for (PaletteColor p : PaletteColor.values()) {
            assertTrue(values.contains(p), p.toString());
        }
        for (SizeClass s : SizeClass.values()) {
            assertTrue(values.contains(s), s.toString());
        }
        for (Position p : Position.values()) {
            assertTrue(values.contains(p), p.toString());
        }
        assertTrue(heldOut >= 6, "unseen combinations: " + heldOut);
    }

    @Test
    void entropyIsZeroForOneValueAndOneForAnEvenSpread() {
        WorldAttributes red = attributes(Shape.CIRCLE);
        WorldAttributes blue = attributes(Shape.SQUARE);
        assertEquals(
                0.0,
                QualityEvaluator.entropy(List.of(red, red, red), WorldAttributes::shape, 3),
                1e-12);
        assertEquals(
                1.0,
                QualityEvaluator.entropy(List.of(red, blue), WorldAttributes::shape, 3),
                1e-12);
    }

    private static WorldAttributes attributes(Shape shape) {
        return new WorldAttributes(
                shape, 12, 30, 30, PaletteColor.RED, PaletteColor.BLACK, 1, 1, 1);
    }
}
