package io.github.clip2latent.convert.stylegan;

import java.nio.file.Path;
import java.util.List;

/**
 * A StyleGAN3 synthesis network read from a pickle and checked: everything the graph writer needs,
 * nothing that refers back to the pickle except names for messages.
 *
 * @param source the pickle file
 * @param className the generator's class name as stored
 * @param wDim w width
 * @param numWs number of w rows the synthesis consumes ({@code num_layers + 2})
 * @param imgResolution output side in pixels
 * @param imgChannels output channels
 * @param outputScale factor applied to the last layer's output
 * @param input the Fourier-feature input
 * @param layers the synthesis layers in order, the last being ToRGB
 */
record StyleGan3Synthesis(
        Path source,
        String className,
        int wDim,
        int numWs,
        int imgResolution,
        int imgChannels,
        double outputScale,
        StyleGan3Input input,
        List<StyleGan3Layer> layers) {

    StyleGan3Synthesis {
        layers = List.copyOf(layers);
    }
}
