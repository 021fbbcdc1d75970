package io.github.clip2latent.examples.importer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.github.clip2latent.bundle.NormalizationMode;
import io.github.clip2latent.convert.prior.PriorCheckpointImporter;

import java.nio.file.Path;

/**
 * What to import: the published files and the bundle's options. Build with {@link #builder()}.
 *
 * @param prior the clip2latent prior checkpoint ({@code ffhq-sg2-510.ckpt}, {@code
 *     lhq-sg3-410.ckpt})
 * @param stylegan the NVIDIA network pickle (StyleGAN2 or StyleGAN3; its {@code G_ema} is used)
 * @param clip the CLIP weights (OpenAI TorchScript {@code ViT-B-32.pt}, a state dict, or
 *     safetensors)
 * @param tokenizer OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}, or null for the copy this project
 *     ships
 * @param output the bundle folder to create (must not exist, or be empty)
 * @param priorCopy which weights of the checkpoint (EMA: what the reference samples with)
 * @param normalization how re-ranking normalizes images for CLIP; {@link
 *     NormalizationMode#REFERENCE_DOUBLE} reproduces the reference's scores
 * @param noise the StyleGAN2 synthesis noise the bundle asks for by default
 * @param previewSize the resolution of the preview synthesis written for StyleGAN2
 *     skip-architecture generators (re-ranking on a preview), a power of two >= 4, at most half the
 *     generator's resolution is used; 0 writes none
 * @param id the bundle id (written into PNG metadata)
 */
public record ImportRequest(
        Path prior,
        Path stylegan,
        Path clip,
        Path tokenizer,
        Path output,
        PriorCheckpointImporter.Copy priorCopy,
        NormalizationMode normalization,
        SynthesisNoise noise,
        int previewSize,
        String id) {

    /** The default preview resolution: the 256 for the published 1024 generator. */
    public static final int DEFAULT_PREVIEW_SIZE = 256;

    /** Validates. */
    public ImportRequest {
        checkNotNull(prior, "prior");
        checkNotNull(stylegan, "stylegan");
        checkNotNull(clip, "clip");
        checkNotNull(output, "output");
        checkNotNull(priorCopy, "priorCopy");
        checkNotNull(normalization, "normalization");
        checkNotNull(noise, "noise");
        checkPreviewSize(previewSize);
        checkArgument(
                id != null && !id.isBlank(), "bundle id must not be blank, got '%s'", id);
    }

    private static void checkPreviewSize(int value) {
        checkArgument(
                value == 0 || (value >= 4 && Integer.bitCount(value) == 1),
                "preview size must be 0 (none) or a power of two >= 4, got %s",
                value);
    }

    /** A builder; required: prior, stylegan, clip, output. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link ImportRequest}; each setter checks its value. */
    public static final class Builder {
        private Path prior;
        private Path stylegan;
        private Path clip;
        private Path tokenizer;
        private Path output;
        private PriorCheckpointImporter.Copy priorCopy = PriorCheckpointImporter.Copy.EMA;
        private NormalizationMode normalization = NormalizationMode.SINGLE;
        private SynthesisNoise noise = SynthesisNoise.RANDOM;
        private int previewSize = DEFAULT_PREVIEW_SIZE;
        private String id;

        private Builder() {}

        /** The prior checkpoint. */
        public Builder prior(Path value) {
            this.prior = checkNotNull(value, "prior");
            return this;
        }

        /** The StyleGAN network pickle. */
        public Builder stylegan(Path value) {
            this.stylegan = checkNotNull(value, "stylegan");
            return this;
        }

        /** The CLIP weights. */
        public Builder clip(Path value) {
            this.clip = checkNotNull(value, "clip");
            return this;
        }

        /** OpenAI's BPE vocabulary file (default: the copy shipped with the project). */
        public Builder tokenizer(Path value) {
            this.tokenizer = checkNotNull(value, "tokenizer");
            return this;
        }

        /** The bundle folder to create. */
        public Builder output(Path value) {
            this.output = checkNotNull(value, "output");
            return this;
        }

        /** Which weights of the prior checkpoint (default EMA). */
        public Builder priorCopy(PriorCheckpointImporter.Copy value) {
            this.priorCopy = checkNotNull(value, "priorCopy");
            return this;
        }

        /** Re-ranking normalization (default {@link NormalizationMode#SINGLE}). */
        public Builder normalization(NormalizationMode value) {
            this.normalization = checkNotNull(value, "normalization");
            return this;
        }

        /** The default synthesis noise (default {@link SynthesisNoise#RANDOM}, as the reference). */
        public Builder noise(SynthesisNoise value) {
            this.noise = checkNotNull(value, "noise");
            return this;
        }

        /**
         * The preview synthesis resolution (default {@value #DEFAULT_PREVIEW_SIZE}; at most half
         * the generator's is used; 0 writes no preview).
         */
        public Builder previewSize(int value) {
            checkPreviewSize(value);
            this.previewSize = value;
            return this;
        }

        /** The bundle id (default: the output folder's name). */
        public Builder id(String value) {
            checkArgument(
                    value != null && !value.isBlank(),
                    "bundle id must not be blank, got '%s'",
                    value);
            this.id = value;
            return this;
        }

        /** The request. */
        public ImportRequest build() {
            checkState(prior != null, "no prior checkpoint given");
            checkState(stylegan != null, "no StyleGAN pickle given");
            checkState(clip != null, "no CLIP weights given");
            checkState(output != null, "no output folder given");
            String bundleId =
                    id != null ? id : output.toAbsolutePath().normalize().getFileName().toString();
            return new ImportRequest(
                    prior,
                    stylegan,
                    clip,
                    tokenizer,
                    output,
                    priorCopy,
                    normalization,
                    noise,
                    previewSize,
                    bundleId);
        }
    }
}
