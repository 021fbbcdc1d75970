package io.github.clip2latent.convert.stylegan;

import java.util.List;
import java.util.Objects;

/**
 * The weights of a {@code MappingNetwork} ({@code training/networks_stylegan2.py}; StyleGAN3 uses
 * the same class in {@code networks_stylegan3.py} with fewer layers): {@code z -> w}, without a
 * label input.
 *
 * @param zDim width of z
 * @param wDim width of w
 * @param numWs number of w rows the synthesis takes (the reference broadcasts w to them)
 * @param layers the fully connected layers {@code fc0 .. fc(n-1)} in order
 * @param wAvg the tracked mean of w ({@code w_avg} buffer), {@code [wDim]}
 */
public record StyleGanMapping(
        int zDim, int wDim, int numWs, List<FullyConnected> layers, float[] wAvg) {

    /** Checks that the layers chain from zDim to wDim and that w_avg has wDim values. */
    public StyleGanMapping {
        Objects.requireNonNull(layers, "layers");
        Objects.requireNonNull(wAvg, "wAvg");
        layers = List.copyOf(layers);
        if (zDim < 1 || wDim < 1 || numWs < 1 || layers.isEmpty()) {
            throw new IllegalArgumentException(
                    "mapping needs zDim, wDim, numWs >= 1 and at least one layer, got zDim="
                            + zDim + ", wDim=" + wDim + ", numWs=" + numWs + ", layers="
                            + layers.size());
        }
        int width = zDim;
        for (FullyConnected fc : layers) {
            if (fc.inFeatures() != width) {
                throw new IllegalArgumentException(
                        fc.path() + " takes " + fc.inFeatures() + " features, the previous layer gives "
                                + width);
            }
            width = fc.outFeatures();
        }
        if (width != wDim) {
            throw new IllegalArgumentException(
                    "the last mapping layer gives " + width + " features, w_dim is " + wDim);
        }
        if (wAvg.length != wDim) {
            throw new IllegalArgumentException(
                    "mapping.w_avg has " + wAvg.length + " values, w_dim is " + wDim);
        }
        wAvg = wAvg.clone();
    }

    /**
     * A copy of w_avg.
     *
     * @return {@code [wDim]}
     */
    @Override
    public float[] wAvg() {
        return wAvg.clone();
    }
}
