package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.graph.NamedTensor;

import java.util.Objects;

/**
 * One {@code FullyConnectedLayer} of NVIDIA's networks: {@code y = act((x (W weightGain)^T + b
 * biasGain)) gain} ({@code training/networks_stylegan2.py}, {@code FullyConnectedLayer.forward}).
 *
 * @param path module path from the generator root, e.g. {@code "mapping.fc0"}
 * @param weight {@code [out, in]} as stored
 * @param bias {@code [out]} as stored, or {@code null} without bias
 * @param weightGain the layer's {@code weight_gain} ({@code lr_multiplier / sqrt(in)})
 * @param biasGain the layer's {@code bias_gain} ({@code lr_multiplier})
 * @param activation the activation after the bias
 */
public record FullyConnected(
        String path,
        NamedTensor weight,
        NamedTensor bias,
        double weightGain,
        double biasGain,
        Activation activation) {

    /** Checks that the weight is a matrix and the bias matches its rows. */
    public FullyConnected {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(activation, "activation");
        if (weight.shape().length != 2) {
            throw new IllegalArgumentException(path + ".weight must be [out, in], got " + weight);
        }
        if (bias != null && !bias.hasShape(weight.shape()[0])) {
            throw new IllegalArgumentException(
                    path + ".bias must be [" + weight.shape()[0] + "], got " + bias);
        }
    }

    /**
     * Input width.
     *
     * @return {@code in}
     */
    public int inFeatures() {
        return (int) weight.shape()[1];
    }

    /**
     * Output width.
     *
     * @return {@code out}
     */
    public int outFeatures() {
        return (int) weight.shape()[0];
    }
}
