package io.github.clip2latent.convert.clip;

/** The CLIP weight files {@link ClipImporter} reads. */
public enum ClipSourceFormat {
    /** OpenAI's released {@code ViT-B-32.pt}: a TorchScript archive, float16 weights. */
    TORCHSCRIPT,
    /** A {@code torch.save} state dict with OpenAI's names ({@code clip.load}'s fallback). */
    TORCH_SAVE,
    /** Hugging Face {@code openai/clip-vit-base-patch32} {@code model.safetensors}. */
    SAFETENSORS
}
