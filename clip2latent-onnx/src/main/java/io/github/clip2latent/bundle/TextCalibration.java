package io.github.clip2latent.bundle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;

/**
 * An affine map from a bundle's raw CLIP text embeddings to the prior's condition: {@code c = scale
 * * e + offset} per row. The prior is trained on image embeddings only (reference section 2 and the
 * paper's pseudo-text augmentation, which keeps each image embedding's norm), so it reads text
 * embeddings well only where they fall among image embeddings. OpenAI's CLIP puts them close enough
 * for the published prior, which takes raw text embeddings: such bundles carry no calibration (the
 * reference's behaviour). A small contrastively trained CLIP such as the shapes world's does not
 * (its v4 text embeddings have a tenth of its image embeddings' norm and another mean), and its
 * bundle records the map that moves its captions' mean onto its images' and scales by their ratio of
 * mean norms: {@code c = mean_i + (|i|/|t|) (e - mean_t)}, i.e. {@code scale = |i|/|t|} and {@code
 * offset = mean_i - scale mean_t} (docs/quality.md, "text calibration").
 *
 * <p>Only the prior's condition is calibrated: CLIP scores, re-ranking and retrieval keep the raw
 * text embedding, so cosines stay CLIP's. Manifest field {@code textCalibration}: {@code {"scale":
 * s, "offset": [C floats]}}.
 *
 * @param scale the factor on the raw embedding, finite and &gt; 0
 * @param offset {@code [C]} added after scaling, finite
 */
public record TextCalibration(float scale, float[] offset) {

    /** Validates and copies. */
    public TextCalibration {
        checkArgument(
                Float.isFinite(scale) && scale > 0,
                "textCalibration.scale must be finite and > 0, got %s",
                scale);
        checkNotNull(offset, "offset");
        checkArgument(offset.length > 0, "textCalibration.offset is empty");
        for (int k = 0; k < offset.length; k++) {
            checkArgument(
                    Float.isFinite(offset[k]),
                    "textCalibration.offset[%s] is %s, expected a finite number",
                    k,
                    (Object) offset[k]);
        }
        offset = offset.clone();
    }

    /** The offset, copied. */
    @Override
    public float[] offset() {
        return offset.clone();
    }

    /** The embedding width C the calibration applies to. */
    public int dim() {
        return offset.length;
    }

    /**
     * The prior's conditions for raw text embeddings: {@code scale * e + offset} per row, in a new
     * array.
     *
     * @param embeddings {@code [rows, C]} raw text embeddings
     * @param rows the number of rows
     * @return {@code [rows, C]} calibrated conditions
     */
    public float[] apply(float[] embeddings, int rows) {
        int dim = offset.length;
        checkArgument(
                embeddings.length == rows * dim,
                "expected %s x %s text embeddings, got %s values",
                rows,
                dim,
                embeddings.length);
        float[] out = new float[embeddings.length];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < dim; k++) {
                out[r * dim + k] = scale * embeddings[r * dim + k] + offset[k];
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextCalibration c
                && Float.compare(c.scale, scale) == 0
                && Arrays.equals(c.offset, offset);
    }

    @Override
    public int hashCode() {
        return 31 * Float.hashCode(scale) + Arrays.hashCode(offset);
    }

    @Override
    public String toString() {
        return "TextCalibration[scale=" + scale + ", offset=" + offset.length + " values]";
    }
}
