package io.github.clip2latent.convert.stylegan;

import java.util.Objects;

/**
 * A StyleGAN2 generator read from a network pickle: its metadata, mapping and synthesis.
 *
 * @param network the checked metadata
 * @param mapping the mapping network ({@link MappingGraphWriter})
 * @param synthesis the synthesis network ({@link StyleGan2SynthesisGraphWriter})
 */
public record StyleGan2Generator(
        StyleGanNetwork network, StyleGanMapping mapping, StyleGan2Synthesis synthesis) {

    /** Checks presence. */
    public StyleGan2Generator {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(synthesis, "synthesis");
    }
}
