package io.github.clip2latent.examples.shapes;

/** The three shapes of the world, in the order of the generator's shape logits. */
public enum Shape {
    /** A disc; its size is the radius. */
    CIRCLE("circle"),
    /** An axis-aligned square; its size is half the side. */
    SQUARE("square"),
    /** An equilateral triangle pointing up; its size is half the base, its center the centroid. */
    TRIANGLE("triangle");

    private final String word;

    Shape(String word) {
        this.word = word;
    }

    /**
     * The word captions use.
     *
     * @return the lower-case noun, e.g. {@code "circle"}
     */
    public String word() {
        return word;
    }
}
