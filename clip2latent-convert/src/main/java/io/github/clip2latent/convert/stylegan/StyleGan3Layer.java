package io.github.clip2latent.convert.stylegan;

/**
 * One {@code SynthesisLayer} of a StyleGAN3 synthesis network: modulated convolution, then the
 * filtered leaky ReLU (bias, up-sampling, activation with gain and clamp, down-sampling).
 *
 * @param path module path in the pickle, e.g. {@code synthesis.L3_36_512}
 * @param toRgb whether this is the final ToRGB layer (no demodulation, linear activation)
 * @param inChannels input channels
 * @param outChannels output channels
 * @param inSize input side in pixels (square)
 * @param outSize output side in pixels (square)
 * @param kernel convolution kernel side (the convolution pads by {@code kernel - 1})
 * @param up up-sampling factor of the filtered leaky ReLU
 * @param down down-sampling factor of the filtered leaky ReLU
 * @param padding {@code [x0, x1, y0, y1]} around the up-sampled image, negative crops
 * @param convClamp clamp of the activation output, NaN for none
 * @param magnitudeEma the stored {@code magnitude_ema} buffer; the input gain is its rsqrt
 * @param affine the style affine from this layer's w
 * @param weight {@code [out, in, kernel, kernel]}
 * @param bias {@code [out]}
 * @param upFilter the stored {@code up_filter}, null for the identity
 * @param downFilter the stored {@code down_filter}, null for the identity
 */
record StyleGan3Layer(
        String path,
        boolean toRgb,
        int inChannels,
        int outChannels,
        int inSize,
        int outSize,
        int kernel,
        int up,
        int down,
        int[] padding,
        double convClamp,
        float magnitudeEma,
        StyleGan3Affine affine,
        float[] weight,
        float[] bias,
        StyleGan3Filter upFilter,
        StyleGan3Filter downFilter) {}
