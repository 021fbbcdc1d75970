package io.github.clip2latent.bundle;

/** How image pixels are normalized before the CLIP image encoder (reference section 5). */
public enum NormalizationMode {
    /** {@code Normalize(0.5 y + 0.5)} once: what the released priors were trained on. */
    SINGLE("single"),
    /**
     * The reference's re-ranking quirk: normalized, clamped to [0, 1], normalized again. Kept to
     * reproduce the reference's CLIP scores; not the method.
     */
    REFERENCE_DOUBLE("reference-double");

    private final String manifestName;

    NormalizationMode(String manifestName) {
        this.manifestName = manifestName;
    }

    /** The name used in {@code clip2latent.json}. */
    public String manifestName() {
        return manifestName;
    }

    static NormalizationMode fromManifestName(String name) {
        for (NormalizationMode mode : values()) {
            if (mode.manifestName.equals(name)) {
                return mode;
            }
        }
        return null;
    }
}
