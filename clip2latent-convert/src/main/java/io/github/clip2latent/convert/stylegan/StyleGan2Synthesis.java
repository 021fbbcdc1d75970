package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.graph.NamedTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The weights and options of a StyleGAN2 {@code SynthesisNetwork} ({@code
 * training/networks_stylegan2.py}): one block per resolution 4, 8, ..., {@code resolution}.
 *
 * @param wDim width of each w row
 * @param numWs number of w rows
 * @param resolution output height and width
 * @param imgChannels output channels (3)
 * @param blocks the blocks {@code b4, b8, ...} in order
 */
public record StyleGan2Synthesis(
        int wDim, int numWs, int resolution, int imgChannels, List<Block> blocks) {

    /** Checks that the blocks double in resolution and consume exactly numWs w rows. */
    public StyleGan2Synthesis {
        Objects.requireNonNull(blocks, "blocks");
        blocks = List.copyOf(blocks);
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("synthesis has no blocks");
        }
        int res = 4;
        int ws = 0;
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            if (b.resolution() != res) {
                throw new IllegalArgumentException(
                        b.path() + " has resolution " + b.resolution() + ", expected " + res);
            }
            boolean last = i == blocks.size() - 1;
            if (b.isLast() != last) {
                throw new IllegalArgumentException(
                        b.path() + " has is_last=" + b.isLast() + ", expected " + last);
            }
            ws += b.numConv() + (last ? b.numToRgb() : 0);
            res *= 2;
        }
        if (blocks.get(blocks.size() - 1).resolution() != resolution) {
            throw new IllegalArgumentException(
                    "the last block has resolution " + blocks.get(blocks.size() - 1).resolution()
                            + ", img_resolution is " + resolution);
        }
        if (ws != numWs) {
            throw new IllegalArgumentException(
                    "the blocks use " + ws + " w rows, num_ws is " + numWs);
        }
    }

    /** Block architecture ({@code SynthesisBlock.architecture}). */
    public enum Architecture {
        /** Only the last block has a ToRGB layer. */
        ORIG,
        /** Every block adds its ToRGB output to the upsampled image (config F). */
        SKIP,
        /** Residual blocks with a 1x1 upsampling skip convolution; ToRGB in the last block. */
        RESNET;

        /**
         * The reference's name.
         *
         * @return {@code "orig"}, {@code "skip"} or {@code "resnet"}
         */
        public String referenceName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One {@code SynthesisLayer}: modulated 3x3 convolution with demodulation, optional 2x
     * upsampling, noise, bias, activation, gain and clamp.
     *
     * @param path module path from the synthesis root, e.g. {@code "b8.conv0"}; also the name of
     *     its noise input
     * @param affine the style affine layer (w to per-input-channel styles)
     * @param weight {@code [out, in, k, k]}
     * @param bias {@code [out]}
     * @param resolution output resolution
     * @param up upsampling factor (1 or 2)
     * @param padding {@code kernel_size // 2}
     * @param activation activation after the bias
     * @param convClamp clamp of the output, or {@code null} for none
     * @param resampleFilter the stored FIR filter (2-D, or 1-D separable), used when {@code up > 1}
     * @param noiseConst the stored constant noise {@code [res, res]}, or {@code null} without noise
     * @param noiseStrength the learned noise scale (0 when there is no noise)
     */
    public record ModulatedConv(
            String path,
            FullyConnected affine,
            NamedTensor weight,
            NamedTensor bias,
            int resolution,
            int up,
            int padding,
            Activation activation,
            Double convClamp,
            NamedTensor resampleFilter,
            NamedTensor noiseConst,
            float noiseStrength) {

        /** Checks the shapes against each other. */
        public ModulatedConv {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(affine, "affine");
            Objects.requireNonNull(weight, "weight");
            Objects.requireNonNull(bias, "bias");
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(resampleFilter, "resampleFilter");
            long[] s = weight.shape();
            if (s.length != 4 || s[2] != s[3]) {
                throw new IllegalArgumentException(path + ".weight must be [out, in, k, k], got " + weight);
            }
            if (!bias.hasShape(s[0])) {
                throw new IllegalArgumentException(path + ".bias must be [" + s[0] + "], got " + bias);
            }
            if (affine.outFeatures() != s[1]) {
                throw new IllegalArgumentException(
                        path + ".affine gives " + affine.outFeatures() + " styles for " + s[1]
                                + " input channels");
            }
            if (noiseConst != null && !noiseConst.hasShape(resolution, resolution)) {
                throw new IllegalArgumentException(
                        path + ".noise_const must be [" + resolution + ", " + resolution + "], got "
                                + noiseConst);
            }
            if (up < 1) {
                throw new IllegalArgumentException(path + ".up must be >= 1, got " + up);
            }
        }

        /**
         * Input channels.
         *
         * @return {@code in}
         */
        public int inChannels() {
            return (int) weight.shape()[1];
        }

        /**
         * Output channels.
         *
         * @return {@code out}
         */
        public int outChannels() {
            return (int) weight.shape()[0];
        }

        /**
         * Whether the layer adds noise (and the graph has an input for it).
         *
         * @return true with {@code use_noise}
         */
        public boolean useNoise() {
            return noiseConst != null;
        }
    }

    /**
     * One {@code ToRGBLayer}: modulated 1x1 convolution without demodulation, bias, clamp.
     *
     * @param path module path from the synthesis root, e.g. {@code "b8.torgb"}
     * @param affine the style affine layer
     * @param weight {@code [imgChannels, in, 1, 1]}
     * @param bias {@code [imgChannels]}
     * @param weightGain the layer's {@code weight_gain} applied to the styles
     * @param convClamp clamp of the output, or {@code null}
     */
    public record ToRgb(
            String path,
            FullyConnected affine,
            NamedTensor weight,
            NamedTensor bias,
            double weightGain,
            Double convClamp) {

        /** Checks the shapes. */
        public ToRgb {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(affine, "affine");
            Objects.requireNonNull(weight, "weight");
            Objects.requireNonNull(bias, "bias");
            long[] s = weight.shape();
            if (s.length != 4) {
                throw new IllegalArgumentException(path + ".weight must be [out, in, k, k], got " + weight);
            }
            if (!bias.hasShape(s[0]) || affine.outFeatures() != s[1]) {
                throw new IllegalArgumentException(
                        path + ": bias " + bias + " and affine width " + affine.outFeatures()
                                + " do not fit weight " + weight);
            }
        }
    }

    /**
     * The resnet block's skip path, a {@code Conv2dLayer} with a 1x1 kernel, no bias, linear
     * activation and 2x upsampling, called with gain sqrt(0.5).
     *
     * @param path module path, e.g. {@code "b8.skip"}
     * @param weight {@code [out, in, 1, 1]}
     * @param weightGain the layer's {@code weight_gain}
     * @param up upsampling factor (2)
     * @param resampleFilter the stored FIR filter
     * @param convClamp clamp of the output, or {@code null}
     */
    public record ResnetSkip(
            String path,
            NamedTensor weight,
            double weightGain,
            int up,
            NamedTensor resampleFilter,
            Double convClamp) {

        /** Checks the kernel is 1x1. */
        public ResnetSkip {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(weight, "weight");
            Objects.requireNonNull(resampleFilter, "resampleFilter");
            long[] s = weight.shape();
            if (s.length != 4 || s[2] != 1 || s[3] != 1) {
                throw new IllegalArgumentException(path + ".weight must be [out, in, 1, 1], got " + weight);
            }
        }
    }

    /**
     * One {@code SynthesisBlock}.
     *
     * @param path module path, e.g. {@code "b8"}
     * @param resolution the block's resolution
     * @param architecture the block architecture
     * @param isLast whether it is the last block
     * @param constInput the learned constant {@code [C, 4, 4]} of the first block, else {@code null}
     * @param conv0 the upsampling layer (absent in the first block)
     * @param conv1 the second layer
     * @param toRgb the ToRGB layer, present for skip blocks and the last block
     * @param skip the resnet skip path, present in resnet blocks after the first
     * @param resampleFilter the block's FIR filter, used to upsample the image in skip blocks
     */
    public record Block(
            String path,
            int resolution,
            Architecture architecture,
            boolean isLast,
            NamedTensor constInput,
            ModulatedConv conv0,
            ModulatedConv conv1,
            ToRgb toRgb,
            ResnetSkip skip,
            NamedTensor resampleFilter) {

        /** Checks which layers the architecture requires. */
        public Block {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(architecture, "architecture");
            Objects.requireNonNull(conv1, "conv1");
            Objects.requireNonNull(resampleFilter, "resampleFilter");
            if ((constInput == null) == (conv0 == null)) {
                throw new IllegalArgumentException(
                        path + " must have either a const input (first block) or conv0");
            }
            boolean wantsRgb = isLast || architecture == Architecture.SKIP;
            if (wantsRgb != (toRgb != null)) {
                throw new IllegalArgumentException(
                        path + (wantsRgb ? " needs" : " must not have") + " a torgb layer ("
                                + architecture.referenceName() + ", is_last=" + isLast + ")");
            }
            boolean wantsSkip = conv0 != null && architecture == Architecture.RESNET;
            if (wantsSkip != (skip != null)) {
                throw new IllegalArgumentException(
                        path + (wantsSkip ? " needs" : " must not have") + " a skip layer");
            }
        }

        /**
         * Number of modulated 3x3 layers.
         *
         * @return 1 for the first block, else 2
         */
        public int numConv() {
            return conv0 == null ? 1 : 2;
        }

        /**
         * Number of ToRGB layers.
         *
         * @return 0 or 1
         */
        public int numToRgb() {
            return toRgb == null ? 0 : 1;
        }

        /**
         * The layers with noise, in the reference's order.
         *
         * @return conv0 (when present) then conv1, those with noise only
         */
        public List<ModulatedConv> noiseLayers() {
            List<ModulatedConv> out = new ArrayList<>();
            if (conv0 != null && conv0.useNoise()) {
                out.add(conv0);
            }
            if (conv1.useNoise()) {
                out.add(conv1);
            }
            return out;
        }
    }

    /**
     * Every layer with noise, in the order the reference draws random noise.
     *
     * @return the noise layers
     */
    public List<ModulatedConv> noiseLayers() {
        List<ModulatedConv> out = new ArrayList<>();
        for (Block b : blocks) {
            out.addAll(b.noiseLayers());
        }
        return out;
    }
}
