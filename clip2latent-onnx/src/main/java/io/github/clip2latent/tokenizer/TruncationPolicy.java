package io.github.clip2latent.tokenizer;

/** What {@link ClipTokenizer} does with a prompt that does not fit in its context length. */
public enum TruncationPolicy {
    /**
     * Throw an {@link IllegalArgumentException} that gives the token count, the limit and the start
     * of the prompt, as {@code clip.tokenize(texts)} raises by default. The default policy: a
     * silently cut prompt yields images that ignore its end.
     */
    ERROR,
    /**
     * Keep the start token, the first {@code contextLength - 2} tokens and the end token, as {@code
     * clip.tokenize(texts, truncate=True)} does.
     */
    TRUNCATE
}
