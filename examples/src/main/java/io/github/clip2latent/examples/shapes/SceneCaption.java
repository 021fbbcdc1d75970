package io.github.clip2latent.examples.shapes;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a training caption says about an image, apart from its wording: any non-empty subset of
 * shape, size, object color, position and background color ({@code null} or empty components are
 * not named). A position is one region, or a corner: one of top/bottom with one of left/right.
 * {@link CaptionWriter} words it.
 *
 * @param shape the named shape, or {@code null} (the noun is then "shape")
 * @param size the named size class, or {@code null}
 * @param color the named object color, or {@code null}
 * @param positions the named position: empty, one region, or a corner
 * @param background the named background color, or {@code null}
 */
public record SceneCaption(
        Shape shape,
        SizeClass size,
        PaletteColor color,
        Set<Position> positions,
        PaletteColor background) {

    /** Validates and copies. */
    public SceneCaption {
        Objects.requireNonNull(positions, "positions");
        positions = positions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(positions));
        if (positions.size() > 2
                || (positions.size() == 2 && vertical(positions) == null)
                || (positions.size() == 2 && horizontal(positions) == null)) {
            throw new IllegalArgumentException(
                    "a position is one region or a corner (top/bottom with left/right), got "
                            + positions);
        }
        if (shape == null
                && size == null
                && color == null
                && positions.isEmpty()
                && background == null) {
            throw new IllegalArgumentException("a caption must name at least one attribute");
        }
    }

    /** Whether an object attribute (shape, size, color or position) is named. */
    public boolean namesObject() {
        return shape != null || size != null || color != null || !positions.isEmpty();
    }

    /** Whether the truth confirms everything named. */
    public boolean matches(WorldAttributes truth) {
        if (shape != null && truth.shape() != shape) {
            return false;
        }
        if (size != null && !size.contains(truth.size())) {
            return false;
        }
        if (color != null && truth.objectColor() != color) {
            return false;
        }
        for (Position p : positions) {
            if (!p.contains(truth.centerX(), truth.centerY())) {
                return false;
            }
        }
        return background == null || truth.backgroundColor() == background;
    }

    /** The same caption with the shape left out. */
    public SceneCaption withoutShape() {
        return new SceneCaption(null, size, color, positions, background);
    }

    /** TOP or BOTTOM among the positions, else {@code null}. */
    static Position vertical(Set<Position> positions) {
        return positions.contains(Position.TOP)
                ? Position.TOP
                : positions.contains(Position.BOTTOM) ? Position.BOTTOM : null;
    }

    /** LEFT or RIGHT among the positions, else {@code null}. */
    static Position horizontal(Set<Position> positions) {
        return positions.contains(Position.LEFT)
                ? Position.LEFT
                : positions.contains(Position.RIGHT) ? Position.RIGHT : null;
    }
}
