package io.github.clip2latent.examples.shapes;

import java.util.EnumSet;
import java.util.Set;

/**
 * A change of exactly one attribute of a scene ({@link ShapesWorld#edited}): the world CLIP's hard
 * negatives, pairs of images whose captions differ in one attribute only.
 */
public enum SceneEdit {
    /** Object and background colors exchanged: only word order tells the two captions apart. */
    SWAP_COLORS,
    /** The next shape (circle, square, triangle, circle). */
    NEXT_SHAPE,
    /** Left and right exchanged (the center mirrored about the vertical mid-line). */
    MIRROR_HORIZONTAL,
    /** Top and bottom exchanged. */
    MIRROR_VERTICAL,
    /** Small and large exchanged (the size mirrored about the middle of its range). */
    FLIP_SIZE;

    private static final double SAME = 1e-3;

    /**
     * Whether {@code after} is {@code before} with this attribute changed and clear, and every
     * other attribute the same.
     *
     * @param before the original scene
     * @param after the edited scene
     * @return true when the edit did exactly its change
     */
    public boolean changed(WorldAttributes before, WorldAttributes after) {
        boolean colors =
                after.objectColor() == before.objectColor()
                        && after.backgroundColor() == before.backgroundColor();
        boolean shape = after.shape() == before.shape();
        boolean size = Math.abs(after.size() - before.size()) < SAME;
        boolean x = Math.abs(after.centerX() - before.centerX()) < SAME;
        boolean y = Math.abs(after.centerY() - before.centerY()) < SAME;
        return switch (this) {
            case SWAP_COLORS ->
                    after.objectColor() == before.backgroundColor()
                            && after.backgroundColor() == before.objectColor()
                            && after.objectColorIsClear()
                            && after.backgroundColorIsClear()
                            && shape
                            && size
                            && x
                            && y;
            case NEXT_SHAPE ->
                    !shape && after.shapeIsClear() && before.shapeIsClear() && colors && size && x && y;
            case MIRROR_HORIZONTAL ->
                    !x
                            && !after.positions().equals(before.positions())
                            && colors
                            && shape
                            && size
                            && y;
            case MIRROR_VERTICAL ->
                    !y
                            && !after.positions().equals(before.positions())
                            && colors
                            && shape
                            && size
                            && x;
            case FLIP_SIZE ->
                    !size
                            && after.sizeClass() != null
                            && before.sizeClass() != null
                            && after.sizeClass() != before.sizeClass()
                            && colors
                            && shape
                            && x
                            && y;
        };
    }

    /**
     * The caption attributes this edit changes, all of which a caption pair must name to differ.
     *
     * @return the attributes
     */
    public Set<CaptionAttribute> attributes() {
        return switch (this) {
            case SWAP_COLORS ->
                    EnumSet.of(CaptionAttribute.COLOR, CaptionAttribute.BACKGROUND);
            case NEXT_SHAPE -> EnumSet.of(CaptionAttribute.SHAPE);
            case MIRROR_HORIZONTAL, MIRROR_VERTICAL -> EnumSet.of(CaptionAttribute.POSITION);
            case FLIP_SIZE -> EnumSet.of(CaptionAttribute.SIZE);
        };
    }
}
