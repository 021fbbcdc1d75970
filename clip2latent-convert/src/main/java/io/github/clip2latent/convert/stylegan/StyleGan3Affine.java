package io.github.clip2latent.convert.stylegan;

/**
 * One {@code FullyConnectedLayer} with a linear activation as StyleGAN3 uses it for styles and the
 * Fourier-feature transform: {@code y = x (weight * weightGain)^T + bias * biasGain}
 * (networks_stylegan3.py, FullyConnectedLayer.forward, the {@code addmm} branch).
 *
 * @param path module path in the pickle, for messages
 * @param inFeatures input width
 * @param outFeatures output width
 * @param weight {@code [out, in]} row-major, as stored
 * @param bias {@code [out]}, as stored
 * @param weightGain {@code lr_multiplier / sqrt(in_features)}
 * @param biasGain {@code lr_multiplier}
 */
record StyleGan3Affine(
        String path,
        int inFeatures,
        int outFeatures,
        float[] weight,
        float[] bias,
        double weightGain,
        double biasGain) {

    /**
     * The weight scaled by its gain and transposed to {@code [in, out]} for a MatMul; float32
     * product as PyTorch forms {@code weight * weight_gain} (float32 tensor times a scalar).
     */
    float[] scaledWeightTransposed() {
        float gain = (float) weightGain;
        float[] t = new float[weight.length];
        for (int o = 0; o < outFeatures; o++) {
            for (int i = 0; i < inFeatures; i++) {
                t[i * outFeatures + o] = weight[o * inFeatures + i] * gain;
            }
        }
        return t;
    }

    /** The bias times its gain; PyTorch skips the product when the gain is 1. */
    float[] scaledBias() {
        if (biasGain == 1) {
            return bias.clone();
        }
        float gain = (float) biasGain;
        float[] b = new float[bias.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = bias[i] * gain;
        }
        return b;
    }
}
