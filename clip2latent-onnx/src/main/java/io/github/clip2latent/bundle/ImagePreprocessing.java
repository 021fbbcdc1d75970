package io.github.clip2latent.bundle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The CLIP image preprocessing a bundle's image encoder expects (reference section 5).
 *
 * @param inputSize the encoder's square input size S (224 for CLIP ViT-B/32)
 * @param mean per-channel mean, 3 values
 * @param std per-channel std, 3 values, > 0
 * @param mode single normalization, or the reference's double one
 */
public record ImagePreprocessing(int inputSize, float[] mean, float[] std, NormalizationMode mode) {

    /** OpenAI CLIP's channel means. */
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};

    /** OpenAI CLIP's channel standard deviations. */
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** Validates and copies. */
    public ImagePreprocessing {
        checkArgument(inputSize >= 1, "preprocessing inputSize must be >= 1, got %s", inputSize);
        checkNotNull(mode, "mode");
        checkArgument(
                mean.length == 3 && std.length == 3,
                "preprocessing mean and std need 3 values, got %s and %s",
                mean.length,
                std.length);
        for (float m : mean) {
            checkArgument(Float.isFinite(m), "preprocessing mean must be finite, got %s", m);
        }
        for (float s : std) {
            checkArgument(
                    s > 0 && Float.isFinite(s),
                    "preprocessing std must be finite and > 0, got %s",
                    s);
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** CLIP's statistics at the given input size, single normalization. */
    public static ImagePreprocessing clip(int inputSize) {
        return new ImagePreprocessing(inputSize, CLIP_MEAN, CLIP_STD, NormalizationMode.SINGLE);
    }

    /** A copy with another normalization mode. */
    public ImagePreprocessing withMode(NormalizationMode newMode) {
        return new ImagePreprocessing(inputSize, mean, std, newMode);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImagePreprocessing that
                && inputSize == that.inputSize
                && mode == that.mode
                && java.util.Arrays.equals(mean, that.mean)
                && java.util.Arrays.equals(std, that.std);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                inputSize, mode, java.util.Arrays.hashCode(mean), java.util.Arrays.hashCode(std));
    }
}
