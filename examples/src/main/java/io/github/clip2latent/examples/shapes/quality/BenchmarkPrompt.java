package io.github.clip2latent.examples.shapes.quality;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.clip2latent.examples.shapes.Caption;

import java.util.Objects;

/**
 * One prompt of a benchmark set: the text given to the model, the attributes it names (as a {@link
 * Caption}, whose {@link Caption#check} scores an image against it; its template is irrelevant
 * here) and its kind.
 *
 * @param text the prompt as typed
 * @param meaning the attributes the text names
 * @param kind what the prompt names, for the breakdown
 * @param frame the sentence frame the text was written in (e.g. {@code "B1"}), or {@code "caption"}
 *     for a prompt written by {@link Caption#text()}
 * @param swapPair the index of the swap pair the prompt belongs to, or -1
 */
public record BenchmarkPrompt(
        String text, Caption meaning, PromptKind kind, String frame, int swapPair) {

    /** Validates. */
    public BenchmarkPrompt {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(meaning, "meaning");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(frame, "frame");
        checkArgument(!text.isBlank(), "empty prompt text");
        checkArgument(
                (kind == PromptKind.SWAP_PAIR) == (swapPair >= 0),
                "only swap-pair prompts have a pair index: %s, pair %s",
                kind,
                swapPair);
    }

    /**
     * A prompt of the project's original set, written by the caption generator.
     *
     * @param caption the caption
     * @return the prompt
     */
    public static BenchmarkPrompt ofCaption(Caption caption) {
        return new BenchmarkPrompt(caption.text(), caption, PromptKind.PROJECT, "caption", -1);
    }

    /**
     * Whether the prompt names both the object's and the background's color, the prompts where a
     * swap of the two can happen.
     *
     * @return true when both colors are named
     */
    public boolean namesBothColors() {
        return meaning.color() != null && meaning.background() != null;
    }
}
