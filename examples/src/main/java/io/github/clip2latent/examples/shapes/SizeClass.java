package io.github.clip2latent.examples.shapes;

/**
 * The size words of captions. Sizes between the two classes (11 to 15 pixels) have no word, so a
 * caption never names a size that a reader could dispute.
 */
public enum SizeClass {
    /** Half-extent below 11 pixels. */
    SMALL("small"),
    /** Half-extent above 15 pixels. */
    LARGE("large");

    /** Sizes strictly below this are small. */
    public static final double SMALL_BELOW = 11;

    /** Sizes strictly above this are large. */
    public static final double LARGE_ABOVE = 15;

    private final String word;

    SizeClass(String word) {
        this.word = word;
    }

    /**
     * The word captions use.
     *
     * @return the lower-case adjective
     */
    public String word() {
        return word;
    }

    /**
     * Whether a half-extent belongs to this class.
     *
     * @param size half-extent in pixels
     * @return true when the word applies
     */
    public boolean contains(double size) {
        return this == SMALL ? size < SMALL_BELOW : size > LARGE_ABOVE;
    }

    /**
     * The class of a half-extent.
     *
     * @param size half-extent in pixels
     * @return the class, or {@code null} for the unnamed middle sizes
     */
    public static SizeClass of(double size) {
        for (SizeClass c : values()) {
            if (c.contains(size)) {
                return c;
            }
        }
        return null;
    }
}
