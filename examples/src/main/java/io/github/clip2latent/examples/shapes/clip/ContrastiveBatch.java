package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;

/**
 * One training batch of (image, caption) pairs.
 *
 * @param images {@code [rows, 3, height, width]} in [-1, 1], row-major (the generator's range; the
 *     trainer applies CLIP's preprocessing); not copied, so do not change it after handing it over
 * @param rows the number of pairs, at least 2 (a contrastive loss needs negatives)
 * @param height image height
 * @param width image width
 * @param captions one caption per image; equal captions are allowed and treated as one class
 * @param matches {@code [rows, rows]} row-major, entry {@code (i, j)} true when caption j is true of
 *     image i (so the diagonal is all true), or {@code null} to treat only equal captions as
 *     matching
 */
public record ContrastiveBatch(
        float[] images, int rows, int height, int width, List<String> captions, boolean[] matches) {

    /** A batch where only equal captions match. */
    public ContrastiveBatch(float[] images, int rows, int height, int width, List<String> captions) {
        this(images, rows, height, width, captions, null);
    }

    /** Validates and copies the caption list. */
    public ContrastiveBatch {
        checkNotNull(images, "images");
        captions = List.copyOf(checkNotNull(captions, "captions"));
        checkArgument(rows >= 2, "a contrastive batch needs at least 2 pairs, got %s", rows);
        checkArgument(
                height >= 1 && width >= 1, "image size must be >= 1, got %s x %s", height, width);
        checkArgument(
                (long) rows * 3 * height * width == images.length,
                "images: need %s x 3 x %s x %s = %s values, got %s",
                rows,
                height,
                width,
                (long) rows * 3 * height * width,
                images.length);
        checkArgument(
                captions.size() == rows,
                "need %s captions, one per image, got %s",
                rows,
                captions.size());
        if (matches != null) {
            checkArgument(
                    matches.length == rows * rows,
                    "matches: need %s x %s values, got %s",
                    rows,
                    rows,
                    matches.length);
            for (int i = 0; i < rows; i++) {
                checkArgument(matches[i * rows + i], "caption %s must match its own image", i);
            }
        }
    }
}
