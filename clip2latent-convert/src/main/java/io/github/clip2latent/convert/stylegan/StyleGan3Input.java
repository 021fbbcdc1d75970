package io.github.clip2latent.convert.stylegan;

/**
 * The Fourier-feature input of a StyleGAN3 synthesis network ({@code SynthesisInput}), with its
 * stored weights and buffers.
 *
 * @param path module path in the pickle, for messages
 * @param channels number of features
 * @param width output width in pixels ({@code size[0]})
 * @param height output height in pixels ({@code size[1]})
 * @param samplingRate the input's sampling rate
 * @param bandwidth the frequency cutoff of the features
 * @param weight the trainable 1x1 mapping {@code [channels, channels]}
 * @param affine the affine from {@code ws[:, 0]} to the rotation and translation {@code (r_c, r_s,
 *     t_x, t_y)}
 * @param transform the stored user transform {@code [3, 3]}
 * @param freqs the stored frequencies {@code [channels, 2]}
 * @param phases the stored phases {@code [channels]}
 */
record StyleGan3Input(
        String path,
        int channels,
        int width,
        int height,
        double samplingRate,
        double bandwidth,
        float[] weight,
        StyleGan3Affine affine,
        float[] transform,
        float[] freqs,
        float[] phases) {}
