package io.github.clip2latent.examples.shapes;

/** The word orders captions are written in; all name the same attributes the same way. */
public enum CaptionTemplate {
    /** {@code "a small red circle on the left on a black background"}. */
    PLAIN,
    /** {@code "a black background with a small red circle on the left"}; needs a background. */
    BACKGROUND_FIRST,
    /** {@code "on the left, a small red circle on a black background"}; needs a position. */
    POSITION_FIRST
}
