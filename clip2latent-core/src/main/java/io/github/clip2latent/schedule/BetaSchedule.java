package io.github.clip2latent.schedule;

/** The beta schedules a {@link NoiseSchedule} can be built from. */
public enum BetaSchedule {
    /** Nichol and Dhariwal's cosine schedule; the published clip2latent models use it. */
    COSINE,
    /** DALLE2-pytorch's linear schedule, scaled by {@code 1000 / timesteps}. */
    LINEAR;

    /** The name used in bundle manifests: {@code "cosine"} or {@code "linear"}. */
    public String manifestName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Parses a manifest name.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static BetaSchedule fromManifestName(String name) {
        for (BetaSchedule schedule : values()) {
            if (schedule.manifestName().equals(name)) {
                return schedule;
            }
        }
        throw new IllegalArgumentException(
                "unknown beta schedule '" + name + "'; expected one of \"cosine\", \"linear\"");
    }
}
