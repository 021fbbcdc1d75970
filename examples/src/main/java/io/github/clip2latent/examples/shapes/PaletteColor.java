package io.github.clip2latent.examples.shapes;

/**
 * The eight colors of the world with their exact sRGB values, in the order of the generator's color
 * logits.
 */
public enum PaletteColor {
    /** sRGB (220, 40, 40). */
    RED("red", 220, 40, 40),
    /** sRGB (245, 140, 20). */
    ORANGE("orange", 245, 140, 20),
    /** sRGB (240, 220, 40). */
    YELLOW("yellow", 240, 220, 40),
    /** sRGB (40, 170, 60). */
    GREEN("green", 40, 170, 60),
    /** sRGB (40, 90, 220). */
    BLUE("blue", 40, 90, 220),
    /** sRGB (140, 60, 190). */
    PURPLE("purple", 140, 60, 190),
    /** sRGB (245, 245, 245). */
    WHITE("white", 245, 245, 245),
    /** sRGB (25, 25, 25). */
    BLACK("black", 25, 25, 25);

    private final String word;
    private final int red;
    private final int green;
    private final int blue;

    PaletteColor(String word, int red, int green, int blue) {
        this.word = word;
        this.red = red;
        this.green = green;
        this.blue = blue;
    }

    /**
     * The word captions use.
     *
     * @return the lower-case adjective, e.g. {@code "red"}
     */
    public String word() {
        return word;
    }

    /**
     * One 8-bit channel.
     *
     * @param channel 0 red, 1 green, 2 blue
     * @return the level in [0, 255]
     */
    public int level(int channel) {
        return switch (channel) {
            case 0 -> red;
            case 1 -> green;
            case 2 -> blue;
            default ->
                    throw new IllegalArgumentException("channel must be 0, 1 or 2, got " + channel);
        };
    }

    /**
     * One channel as the generator outputs it, in [-1, 1].
     *
     * <p>The level is placed in the middle of its 8-bit bin, {@code (level + 0.5) / 127.5 - 1}, so
     * that the library's quantization {@code floor(127.5 (x + 1))} (reference section 5) gives back
     * exactly {@link #level(int)} instead of one level below it through rounding.
     *
     * @param channel 0 red, 1 green, 2 blue
     * @return the generator value
     */
    public double generatorValue(int channel) {
        return (level(channel) + 0.5) / 127.5 - 1.0;
    }
}
