package io.github.clip2latent.examples.shapes.quality;

/** What a benchmark prompt names, for the per-kind breakdown of the benchmark. */
public enum PromptKind {
    /** Object color and background color together with 1 to 3 of shape, size and position. */
    BOTH_COLORS("object and background color + 1-3 more"),
    /** Background color, no object color, with 1 to 3 of shape, size and position. */
    BACKGROUND_ONLY("background color, no object color"),
    /** Object color, no background, with 1 to 3 of shape, size and position. */
    OBJECT_ONLY("object color, no background"),
    /** One half of a swap pair: the same shape with the two colors exchanged in the other half. */
    SWAP_PAIR("swap pairs"),
    /**
     * Both colors with a size or position in another word ({@link CompositionalPrompts#synonyms}).
     */
    SYNONYMS("synonyms"),
    /** A prompt of the project's original 50-prompt set ({@link BenchmarkPrompts}). */
    PROJECT("project set");

    private final String label;

    PromptKind(String label) {
        this.label = label;
    }

    /**
     * A short description for tables.
     *
     * @return e.g. {@code "swap pairs"}
     */
    public String label() {
        return label;
    }
}
