package io.github.clip2latent.bundle;

/** Tensor element types a bundle's graphs may declare, with their manifest names. */
public enum ElementType {
    /** 32-bit IEEE float, {@code "float32"}. */
    FLOAT32("float32"),
    /** 64-bit signed integer, {@code "int64"}. */
    INT64("int64");

    private final String manifestName;

    ElementType(String manifestName) {
        this.manifestName = manifestName;
    }

    /** The name used in {@code clip2latent.json}. */
    public String manifestName() {
        return manifestName;
    }

    /** Parses a manifest name, or returns null. */
    static ElementType fromManifestName(String name) {
        for (ElementType type : values()) {
            if (type.manifestName.equals(name)) {
                return type;
            }
        }
        return null;
    }
}
