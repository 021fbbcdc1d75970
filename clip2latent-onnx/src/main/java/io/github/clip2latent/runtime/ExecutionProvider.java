package io.github.clip2latent.runtime;

import java.util.Locale;

/** Where ONNX Runtime runs the graphs. */
public enum ExecutionProvider {
    /** CUDA if it can be initialized, else CPU (the reason is logged). The default. */
    AUTO,
    /** CPU only; CUDA is never tried. */
    CPU,
    /** CUDA requested; if it cannot be initialized the CPU is used and a warning logged. */
    CUDA;

    /**
     * The system property that overrides the configured provider: {@code auto}, {@code cpu} or
     * {@code cuda}.
     */
    public static final String PROPERTY = "clip2latent.provider";

    /**
     * Parses {@code auto}, {@code cpu} or {@code cuda} (any case).
     *
     * @throws IllegalArgumentException naming the value
     */
    public static ExecutionProvider parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown execution provider '" + value + "'; expected auto, cpu or cuda", e);
        }
    }
}
