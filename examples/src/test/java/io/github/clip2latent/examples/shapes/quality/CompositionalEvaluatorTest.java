package io.github.clip2latent.examples.shapes.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.CaptionAttribute;
import io.github.clip2latent.examples.shapes.PaletteColor;
import io.github.clip2latent.examples.shapes.Position;
import io.github.clip2latent.examples.shapes.Shape;
import io.github.clip2latent.examples.shapes.WorldAttributes;

import org.junit.jupiter.api.Test;

import java.util.List;

/** The scoring arithmetic on hand-made truths, without a model. */
class CompositionalEvaluatorTest {

    private static final QualityEvaluator.Settings SETTINGS =
            new QualityEvaluator.Settings("t", 2, 0, 250, SamplerKind.DDPM, 1, 2, 1000);

    private static WorldAttributes truth(Shape shape, PaletteColor object, PaletteColor ground) {
        // size 12 is "small", center (16, 32) is "on the left" in the 64 x 64 world.
        return new WorldAttributes(shape, 12, 16, 32, object, ground, 1, 1, 1);
    }

    private static BenchmarkPrompt half(int pair, PaletteColor object, PaletteColor ground) {
        return new BenchmarkPrompt(
                "on a " + ground.word() + " background, a " + object.word() + " circle",
                Caption.of(Shape.CIRCLE, null, object, null, ground),
                PromptKind.SWAP_PAIR,
                "B1",
                pair);
    }

    @Test
    void swapsAndBindingAreCountedPerSampleIndex() {
        PaletteColor red = PaletteColor.RED;
        PaletteColor blue = PaletteColor.BLUE;
        List<BenchmarkPrompt> prompts = List.of(half(0, red, blue), half(0, blue, red));
        // Sample 0: both halves right. Sample 1: first half swapped, second right.
        List<List<WorldAttributes>> truths =
                List.of(
                        List.of(truth(Shape.CIRCLE, red, blue), truth(Shape.CIRCLE, blue, red)),
                        List.of(truth(Shape.CIRCLE, blue, red), truth(Shape.CIRCLE, blue, red)));
        CompositionalEvaluator.Report r =
                CompositionalEvaluator.report(SETTINGS, prompts, truths, 0.5, 1);
        assertEquals(0.5, r.bindingScore(), 1e-12);
        assertEquals(0.25, r.swapRate(), 1e-12);
        assertEquals(0.25, r.pairSwapRate(), 1e-12);
        assertEquals(4, r.bothColorsImages());
        assertEquals(0.75, r.overall().allRight(), 1e-12);
        assertEquals(0.75, r.perAttribute().get(CaptionAttribute.COLOR), 1e-12);
        assertEquals(1.0, r.perAttribute().get(CaptionAttribute.SHAPE), 1e-12);
        assertEquals(0.75, r.perKind().get(PromptKind.SWAP_PAIR).allRight(), 1e-12);
    }

    @Test
    void aWrongObjectColorThatIsNotTheBackgroundIsNotASwap() {
        PaletteColor red = PaletteColor.RED;
        PaletteColor blue = PaletteColor.BLUE;
        BenchmarkPrompt both =
                new BenchmarkPrompt(
                        "the small red circle on the left",
                        Caption.of(Shape.CIRCLE, null, red, Position.LEFT, blue),
                        PromptKind.BOTH_COLORS,
                        "B2",
                        -1);
        CompositionalEvaluator.Report r =
                CompositionalEvaluator.report(
                        SETTINGS,
                        List.of(both),
                        List.of(
                                List.of(
                                        truth(Shape.CIRCLE, PaletteColor.GREEN, red),
                                        truth(Shape.SQUARE, red, blue))),
                        0,
                        0);
        assertEquals(0.0, r.swapRate(), 1e-12);
        assertEquals(Double.NaN, r.bindingScore());
        assertEquals(0.0, r.overall().allRight(), 1e-12);
        // 4 named: first image confirms shape and position (2), second color, position, bg (3).
        assertEquals(5.0 / 8, r.overall().accuracy(), 1e-12);
    }
}
