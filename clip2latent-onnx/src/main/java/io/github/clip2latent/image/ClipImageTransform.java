package io.github.clip2latent.image;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.bundle.ImagePreprocessing;

import java.awt.image.BufferedImage;

/**
 * OpenAI CLIP's preprocessing of user images ({@code clip._transform(n_px)} in {@code clip.py}),
 * giving the same pixel values as PIL 9.4 and torchvision 0.14 do:
 *
 * <ol>
 *   <li>{@code Resize(n_px, interpolation=BICUBIC)}: the shorter side becomes {@code n_px}, the
 *       longer {@code int(n_px * long / short)}, resampled as PIL's {@code Image.resize} (see
 *       {@link PilResize}: bicubic with antialiasing when shrinking, nearest for palette images,
 *       premultiplied alpha for images with alpha); an image already of that size is untouched;
 *   <li>{@code CenterCrop(n_px)}: offsets {@code int(round((size - n_px) / 2.0))}, Python's
 *       rounding half to even;
 *   <li>{@code convert("RGB")}: grey copied to three channels, palette looked up, alpha dropped
 *       (not composited onto a background: fully transparent pixels keep whatever color they
 *       store);
 *   <li>{@code ToTensor()} and {@code Normalize(mean, std)}: {@code (v / 255 - mean) / std} in
 *       float32.
 * </ol>
 *
 * <p>Images are read as PIL would hold the same file ({@link PilImage#from}): 8-bit grey, grey with
 * alpha, RGB, RGB with alpha and palette images are exact; others (16-bit, CMYK) go through Java's
 * conversion to 8-bit sRGB first. Generator output takes another path, the reference's area resize
 * ({@link ClipPreprocessor}). Immutable and thread-safe.
 */
public final class ClipImageTransform {

    private final int size;
    private final float[] mean;
    private final float[] std;

    private ClipImageTransform(int size, float[] mean, float[] std) {
        this.size = size;
        this.mean = mean;
        this.std = std;
    }

    /**
     * The transform for an image encoder's input size and channel statistics; the normalization
     * mode of {@code spec} is ignored (user images are normalized once, as {@code clip.load}'s
     * preprocess does).
     */
    public static ClipImageTransform of(ImagePreprocessing spec) {
        checkNotNull(spec, "spec");
        return new ClipImageTransform(spec.inputSize(), spec.mean(), spec.std());
    }

    /** OpenAI CLIP ViT-B/32's transform: 224 pixels, CLIP's mean and std. */
    public static ClipImageTransform clip224() {
        return of(ImagePreprocessing.clip(224));
    }

    /** The output height and width. */
    public int size() {
        return size;
    }

    /**
     * Preprocesses one image.
     *
     * @return {@code [3, size, size]}, channel-major, normalized
     */
    public float[] apply(BufferedImage image) {
        float[] out = new float[3 * size * size];
        apply(image, out, 0);
        return out;
    }

    /**
     * Preprocesses one image into {@code out[offset .. offset + 3 * size * size)}, e.g. one row of
     * an NCHW batch.
     */
    public void apply(BufferedImage image, float[] out, int offset) {
        checkNotNull(image, "image");
        checkArgument(
                offset >= 0 && out.length - offset >= 3 * size * size,
                "output of %s values has no room for 3 x %s x %s at offset %s",
                out.length,
                size,
                size,
                offset);
        byte[] rgb = resizeCropRgb(PilImage.from(image));
        int plane = size * size;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                float v = (rgb[3 * i + c] & 0xFF) / 255f;
                out[offset + c * plane + i] = (v - mean[c]) / std[c];
            }
        }
    }

    /**
     * Steps 1 to 3: the {@code size x size} RGB image, interleaved, before {@code ToTensor}.
     */
    byte[] resizeCropRgb(PilImage image) {
        int[] resized = resizedSize(image.width(), image.height(), size);
        PilImage r = PilResize.resize(image, resized[0], resized[1]);
        int left = (int) Math.rint((r.width() - size) / 2.0);
        int top = (int) Math.rint((r.height() - size) / 2.0);
        byte[] rgb = r.toRgb();
        byte[] out = new byte[size * size * 3];
        for (int y = 0; y < size; y++) {
            System.arraycopy(rgb, ((top + y) * r.width() + left) * 3, out, y * size * 3, size * 3);
        }
        return out;
    }

    /**
     * torchvision's {@code _compute_resized_output_size} for one requested size: the shorter side
     * becomes {@code size}, the longer {@code int(size * long / short)}.
     *
     * @return {width, height}
     */
    static int[] resizedSize(int width, int height, int size) {
        checkArgument(width >= 1 && height >= 1, "image is %sx%s", width, height);
        int shorter = Math.min(width, height);
        int longer = Math.max(width, height);
        int newLong = (int) ((double) size * longer / shorter);
        return width <= height ? new int[] {size, newLong} : new int[] {newLong, size};
    }
}
