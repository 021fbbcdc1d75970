package io.github.clip2latent.convert.graph;

import java.util.Objects;

/**
 * A reference to a named value in a graph under construction (a graph input, an initializer or a
 * node output); the typed helpers of {@link GraphBuilder} take and return these.
 *
 * @param name the value's name, unique in its graph
 */
public record GraphValue(String name) {

    /**
     * Validates the name.
     *
     * @param name non-blank value name
     */
    public GraphValue {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("value name must not be blank");
        }
    }
}
