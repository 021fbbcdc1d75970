package io.github.clip2latent.examples.shapes;

import java.util.Objects;
import java.util.Set;

/**
 * The true attributes of one image of the shapes world, read out of its latent by {@link
 * ShapesWorld#attributes(float[])} with the generator's own weights and formulas.
 *
 * <p>Categories are the arg-max of the generator's soft-max; the confidences are the soft-max
 * probability of that arg-max, so a caller can tell a clear image (confidence near 1) from a blend
 * of two categories.
 *
 * @param shape the most probable shape
 * @param size half-extent in pixels, in [6, 20]
 * @param centerX object center column in pixels, in [16, 48]
 * @param centerY object center row in pixels, in [16, 48] (0 at the top)
 * @param objectColor the most probable object color
 * @param backgroundColor the most probable background color
 * @param shapeConfidence probability of {@code shape}, in [0, 1]
 * @param objectColorConfidence probability of {@code objectColor}, in [0, 1]
 * @param backgroundColorConfidence probability of {@code backgroundColor}, in [0, 1]
 */
public record WorldAttributes(
        Shape shape,
        double size,
        double centerX,
        double centerY,
        PaletteColor objectColor,
        PaletteColor backgroundColor,
        double shapeConfidence,
        double objectColorConfidence,
        double backgroundColorConfidence) {

    /** Confidence above which a category counts as unambiguous for captions. */
    public static final double CLEAR = 0.9;

    /** Validates the ranges. */
    public WorldAttributes {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(objectColor, "objectColor");
        Objects.requireNonNull(backgroundColor, "backgroundColor");
        requireIn("size", size, ShapesWorld.MIN_SIZE, ShapesWorld.MAX_SIZE);
        requireIn("centerX", centerX, ShapesWorld.MIN_CENTER, ShapesWorld.MAX_CENTER);
        requireIn("centerY", centerY, ShapesWorld.MIN_CENTER, ShapesWorld.MAX_CENTER);
        requireIn("shapeConfidence", shapeConfidence, 0, 1);
        requireIn("objectColorConfidence", objectColorConfidence, 0, 1);
        requireIn("backgroundColorConfidence", backgroundColorConfidence, 0, 1);
    }

    /**
     * The size word that applies, if any.
     *
     * @return small, large, or {@code null} for middle sizes
     */
    public SizeClass sizeClass() {
        return SizeClass.of(size);
    }

    /**
     * The position phrases that apply.
     *
     * @return possibly empty set
     */
    public Set<Position> positions() {
        return Position.of(centerX, centerY);
    }

    /**
     * Whether the shape is clear enough to name.
     *
     * @return true when {@code shapeConfidence >= }{@value #CLEAR}
     */
    public boolean shapeIsClear() {
        return shapeConfidence >= CLEAR;
    }

    /**
     * Whether the object color is clear enough to name.
     *
     * @return true when {@code objectColorConfidence >= }{@value #CLEAR}
     */
    public boolean objectColorIsClear() {
        return objectColorConfidence >= CLEAR;
    }

    /**
     * Whether the background color is clear enough to name.
     *
     * @return true when {@code backgroundColorConfidence >= }{@value #CLEAR}
     */
    public boolean backgroundColorIsClear() {
        return backgroundColorConfidence >= CLEAR;
    }

    private static void requireIn(String name, double value, double min, double max) {
        // The negated form also rejects NaN.
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(
                    name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
