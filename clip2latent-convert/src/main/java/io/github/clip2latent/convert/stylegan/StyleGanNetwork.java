package io.github.clip2latent.convert.stylegan;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a StyleGAN network pickle's generator is, as read and checked from its {@code G_ema}: the
 * facts a bundle manifest and the graph metadata record.
 *
 * @param source the pickle
 * @param generatorClass the generator's class name as the pickle records it
 * @param zDim width of z
 * @param wDim width of w
 * @param numWs number of w rows the synthesis takes
 * @param resolution output height and width
 * @param imgChannels output channels
 * @param architecture the StyleGAN2 block architecture ({@code skip}, {@code orig}, {@code resnet})
 * @param channels feature channels per block resolution
 * @param mappingLayers number of mapping layers
 * @param noiseInputs the synthesis graph's noise inputs, name to resolution, in drawing order
 */
public record StyleGanNetwork(
        Path source,
        String generatorClass,
        int zDim,
        int wDim,
        int numWs,
        int resolution,
        int imgChannels,
        String architecture,
        Map<Integer, Integer> channels,
        int mappingLayers,
        Map<String, Integer> noiseInputs) {

    /** Copies the maps, keeping their order. */
    public StyleGanNetwork {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(generatorClass, "generatorClass");
        Objects.requireNonNull(architecture, "architecture");
        channels = Collections.unmodifiableMap(new LinkedHashMap<>(channels));
        noiseInputs = Collections.unmodifiableMap(new LinkedHashMap<>(noiseInputs));
    }
}
