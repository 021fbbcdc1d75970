package io.github.clip2latent.examples.shapes.quality;

import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.PaletteColor;
import io.github.clip2latent.examples.shapes.Position;
import io.github.clip2latent.examples.shapes.Shape;
import io.github.clip2latent.examples.shapes.SizeClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The benchmark's prompts: every attribute value alone, color-shape pairs, the held-out pairs the
 * world CLIP never saw in a caption, and longer combinations. Fixed, so results compare across
 * runs.
 */
public final class BenchmarkPrompts {

    /**
     * Color-shape pairs left out of the world CLIP's training captions, to test unseen combinations
     * (the words were seen, never together).
     */
    public static final Set<List<Object>> HELD_OUT =
            Set.of(
                    List.of(PaletteColor.PURPLE, Shape.TRIANGLE),
                    List.of(PaletteColor.GREEN, Shape.SQUARE),
                    List.of(PaletteColor.YELLOW, Shape.CIRCLE));

    private BenchmarkPrompts() {}

    /** Whether a caption names a held-out color-shape pair. */
    public static boolean namesHeldOutPair(Caption caption) {
        return caption.color() != null
                && caption.shape() != null
                && HELD_OUT.contains(List.of(caption.color(), caption.shape()));
    }

    /** The prompts (at least 50), as captions that know which attributes they name. */
    public static List<Caption> captions() {
        List<Caption> out = new ArrayList<>();
        for (Shape shape : Shape.values()) {
            out.add(Caption.of(shape, null, null, null, null));
        }
        for (PaletteColor color : PaletteColor.values()) {
            out.add(Caption.of(null, null, color, null, null));
        }
        for (SizeClass size : SizeClass.values()) {
            out.add(Caption.of(null, size, null, null, null));
        }
        for (Position position : Position.values()) {
            out.add(Caption.of(null, null, null, position, null));
        }
        for (PaletteColor background :
                List.of(
                        PaletteColor.BLACK,
                        PaletteColor.WHITE,
                        PaletteColor.BLUE,
                        PaletteColor.YELLOW)) {
            out.add(Caption.of(null, null, null, null, background));
        }
        // Seen color-shape pairs, one per color, cycling the shapes.
        PaletteColor[] colors = PaletteColor.values();
        for (int i = 0; i < colors.length; i++) {
            Caption pair = Caption.of(Shape.values()[(i + 1) % 3], null, colors[i], null, null);
            if (!namesHeldOutPair(pair)) {
                out.add(pair);
            }
        }
        // Unseen combinations.
        out.add(Caption.of(Shape.TRIANGLE, null, PaletteColor.PURPLE, null, null));
        out.add(Caption.of(Shape.SQUARE, null, PaletteColor.GREEN, null, null));
        out.add(Caption.of(Shape.CIRCLE, null, PaletteColor.YELLOW, null, null));
        out.add(
                Caption.of(
                        Shape.TRIANGLE, SizeClass.LARGE, PaletteColor.PURPLE, Position.LEFT, null));
        out.add(
                Caption.of(
                        Shape.SQUARE,
                        SizeClass.SMALL,
                        PaletteColor.GREEN,
                        null,
                        PaletteColor.WHITE));
        out.add(
                Caption.of(
                        Shape.CIRCLE,
                        null,
                        PaletteColor.YELLOW,
                        Position.BOTTOM,
                        PaletteColor.BLACK));
        // Longer combinations, as in the issue.
        out.add(Caption.of(Shape.CIRCLE, null, PaletteColor.RED, null, null));
        out.add(Caption.of(Shape.SQUARE, SizeClass.SMALL, PaletteColor.BLUE, Position.LEFT, null));
        out.add(
                Caption.of(
                        Shape.TRIANGLE,
                        SizeClass.LARGE,
                        PaletteColor.YELLOW,
                        Position.BOTTOM,
                        PaletteColor.BLACK));
        out.add(
                Caption.of(
                        Shape.CIRCLE, SizeClass.LARGE, PaletteColor.GREEN, Position.CENTER, null));
        out.add(Caption.of(Shape.SQUARE, null, PaletteColor.ORANGE, Position.TOP, null));
        out.add(
                Caption.of(
                        Shape.TRIANGLE,
                        SizeClass.SMALL,
                        PaletteColor.WHITE,
                        Position.RIGHT,
                        PaletteColor.BLUE));
        out.add(
                Caption.of(
                        Shape.CIRCLE,
                        SizeClass.SMALL,
                        PaletteColor.BLACK,
                        null,
                        PaletteColor.WHITE));
        out.add(Caption.of(null, SizeClass.LARGE, PaletteColor.RED, Position.RIGHT, null));
        out.add(
                Caption.of(
                        Shape.SQUARE, SizeClass.LARGE, null, Position.BOTTOM, PaletteColor.PURPLE));
        out.add(
                Caption.of(
                        Shape.TRIANGLE,
                        null,
                        PaletteColor.BLUE,
                        Position.TOP,
                        PaletteColor.ORANGE));
        out.add(
                Caption.of(
                        Shape.CIRCLE,
                        null,
                        PaletteColor.PURPLE,
                        Position.LEFT,
                        PaletteColor.YELLOW));
        out.add(Caption.of(null, SizeClass.SMALL, PaletteColor.ORANGE, Position.CENTER, null));
        out.add(Caption.of(Shape.SQUARE, null, PaletteColor.WHITE, null, PaletteColor.BLACK));
        out.add(Caption.of(Shape.TRIANGLE, SizeClass.LARGE, PaletteColor.GREEN, null, null));
        out.add(
                Caption.of(
                        Shape.CIRCLE,
                        SizeClass.LARGE,
                        PaletteColor.BLUE,
                        Position.TOP,
                        PaletteColor.WHITE));
        out.add(
                Caption.of(
                        Shape.SQUARE,
                        SizeClass.SMALL,
                        PaletteColor.RED,
                        Position.RIGHT,
                        PaletteColor.GREEN));
        return List.copyOf(out);
    }
}
