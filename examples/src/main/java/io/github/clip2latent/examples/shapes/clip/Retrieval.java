package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Retrieval metrics over embeddings. */
public final class Retrieval {

    private Retrieval() {}

    /**
     * Top-1 image-to-caption accuracy among distinct captions: for each image, the caption (one per
     * distinct string, represented by its first row) with the largest dot product must be its own.
     * Ties go to the first caption in row order. Chance level is {@code 1 / distinct captions}.
     *
     * @param imageEmbeds {@code [rows, dim]}
     * @param textEmbeds {@code [rows, dim]}, row {@code i} the embedding of {@code captions.get(i)}
     * @param rows the number of pairs
     * @param dim the embedding width
     * @param captions the caption of each row
     * @return the fraction of images whose best caption is their own, in [0, 1]
     */
    public static double topOneAccuracy(
            float[] imageEmbeds, float[] textEmbeds, int rows, int dim, List<String> captions) {
        checkNotNull(captions, "captions");
        checkArgument(rows >= 1 && dim >= 1, "rows and dim must be >= 1, got %s and %s", rows, dim);
        checkArgument(
                imageEmbeds.length == rows * dim
                        && textEmbeds.length == rows * dim
                        && captions.size() == rows,
                "need %s x %s embeddings and %s captions, got %s, %s and %s",
                rows,
                dim,
                rows,
                imageEmbeds.length,
                textEmbeds.length,
                captions.size());
        Map<String, Integer> first = new LinkedHashMap<>();
        for (int i = 0; i < rows; i++) {
            first.putIfAbsent(captions.get(i), i);
        }
        List<Integer> candidates = new ArrayList<>(first.values());
        int correct = 0;
        for (int i = 0; i < rows; i++) {
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int j : candidates) {
                double score = 0;
                for (int k = 0; k < dim; k++) {
                    score += (double) imageEmbeds[i * dim + k] * textEmbeds[j * dim + k];
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = j;
                }
            }
            if (captions.get(best).equals(captions.get(i))) {
                correct++;
            }
        }
        return (double) correct / rows;
    }
}
