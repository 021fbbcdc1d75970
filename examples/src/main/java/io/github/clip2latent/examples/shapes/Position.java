package io.github.clip2latent.examples.shapes;

import java.util.EnumSet;
import java.util.Set;

/**
 * The position phrases of captions and the regions of the object's center they stand for. The
 * regions leave gaps (e.g. 26 &lt;= x &lt;= 38 is neither left nor right), so a phrase is only used
 * where it is plainly true.
 */
public enum Position {
    /** Center x below 26. */
    LEFT("on the left"),
    /** Center x above 38. */
    RIGHT("on the right"),
    /** Center y below 26 (image rows grow downwards). */
    TOP("at the top"),
    /** Center y above 38. */
    BOTTOM("at the bottom"),
    /** Both center coordinates in [28, 36]. */
    CENTER("in the center");

    /** Centers with x (or y) strictly below this are on the left (at the top). */
    public static final double LOW_BELOW = 26;

    /** Centers with x (or y) strictly above this are on the right (at the bottom). */
    public static final double HIGH_ABOVE = 38;

    /** Lower bound of the central square, inclusive. */
    public static final double CENTER_MIN = 28;

    /** Upper bound of the central square, inclusive. */
    public static final double CENTER_MAX = 36;

    private final String phrase;

    Position(String phrase) {
        this.phrase = phrase;
    }

    /**
     * The phrase captions use.
     *
     * @return e.g. {@code "on the left"}
     */
    public String phrase() {
        return phrase;
    }

    /**
     * Whether an object center lies in this region.
     *
     * @param centerX center column in pixels, 0 at the left edge
     * @param centerY center row in pixels, 0 at the top edge
     * @return true when the phrase applies
     */
    public boolean contains(double centerX, double centerY) {
        return switch (this) {
            case LEFT -> centerX < LOW_BELOW;
            case RIGHT -> centerX > HIGH_ABOVE;
            case TOP -> centerY < LOW_BELOW;
            case BOTTOM -> centerY > HIGH_ABOVE;
            case CENTER ->
                    centerX >= CENTER_MIN
                            && centerX <= CENTER_MAX
                            && centerY >= CENTER_MIN
                            && centerY <= CENTER_MAX;
        };
    }

    /**
     * Every phrase that applies to an object center (none, one, or two such as left and top).
     *
     * @param centerX center column in pixels
     * @param centerY center row in pixels
     * @return the applicable positions
     */
    public static Set<Position> of(double centerX, double centerY) {
        Set<Position> out = EnumSet.noneOf(Position.class);
        for (Position p : values()) {
            if (p.contains(centerX, centerY)) {
                out.add(p);
            }
        }
        return out;
    }
}
