package io.github.clip2latent.convert.graph;

import java.util.Objects;

/**
 * One dimension of a graph input or output: either fixed ({@link #of(long)}) or symbolic ({@link
 * #symbolic(String)}, e.g. {@code "batch"}), so that ONNX Runtime accepts any size there.
 *
 * @param size the fixed size, or {@code -1} when symbolic
 * @param symbol the symbolic name, or {@code null} when fixed
 */
public record Dim(long size, String symbol) {

    /**
     * Validates that exactly one of size and symbol is given.
     *
     * @param size the fixed size ({@code >= 1}), or {@code -1} when symbolic
     * @param symbol the symbolic name (non-blank), or {@code null} when fixed
     */
    public Dim {
        if (symbol == null) {
            if (size < 1) {
                throw new IllegalArgumentException("fixed dimension must be >= 1, got " + size);
            }
        } else {
            if (symbol.isBlank()) {
                throw new IllegalArgumentException("symbolic dimension name must not be blank");
            }
            if (size != -1) {
                throw new IllegalArgumentException(
                        "symbolic dimension '" + symbol + "' must have size -1, got " + size);
            }
        }
    }

    /**
     * A fixed dimension.
     *
     * @param size the size, at least 1
     * @return the dimension
     */
    public static Dim of(long size) {
        return new Dim(size, null);
    }

    /**
     * A symbolic dimension, free at run time.
     *
     * @param name the symbol, e.g. {@code "batch"}
     * @return the dimension
     */
    public static Dim symbolic(String name) {
        return new Dim(-1, Objects.requireNonNull(name, "name"));
    }

    /**
     * Whether this dimension is symbolic.
     *
     * @return true when the dimension has a name instead of a size
     */
    public boolean isSymbolic() {
        return symbol != null;
    }

    @Override
    public String toString() {
        return isSymbolic() ? symbol : Long.toString(size);
    }
}
