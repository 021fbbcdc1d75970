package io.github.clip2latent.examples.shapes;

/** The attributes a caption can name, each checked separately against the truth. */
public enum CaptionAttribute {
    /** The shape noun (circle, square, triangle). */
    SHAPE,
    /** The size word (small, large). */
    SIZE,
    /** The object's color. */
    COLOR,
    /** The position phrase (on the left, at the top, ...). */
    POSITION,
    /** The background's color. */
    BACKGROUND
}
