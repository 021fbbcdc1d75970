package io.github.clip2latent;

import static com.google.common.base.Preconditions.checkElementIndex;

import io.github.clip2latent.image.Images;
import io.github.clip2latent.image.PngFiles;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one {@code sample()} call: {@code n = conditions x samples} images with their
 * latents, CLIP scores, the request and seed that reproduce them, and per-stage timings. Arrays are
 * returned as copies.
 *
 * @param request the request, with the seed actually used
 * @param bundleId the id of the bundle that drew the images
 * @param count n, the number of images
 * @param height image height
 * @param width image width
 * @param numWs synthesis layers
 * @param latentDim D
 * @param pixels {@code [n, 3, height, width]}, the generator output, nominally in [-1, 1]
 * @param w {@code [n, D]} after truncation (before style mixing and edits)
 * @param ws {@code [n, numWs, D]} as rendered
 * @param clipScores {@code [n]} cosine similarity of each returned image's CLIP embedding (at full
 *     size, also with {@link RerankMode#PREVIEW}) to the condition
 * @param timings per-stage wall-clock times
 * @param warnings what the model could not read as written (words its text encoder was not trained
 *     on, a truncated prompt), one sentence each; empty when the prompt was read as written. The
 *     images are drawn either way.
 */
public record SampleResult(
        SampleRequest request,
        String bundleId,
        int count,
        int height,
        int width,
        int numWs,
        int latentDim,
        float[] pixels,
        float[] w,
        float[] ws,
        float[] clipScores,
        StageTimings timings,
        List<String> warnings) {

    /** Copies the arrays. */
    public SampleResult {
        pixels = pixels.clone();
        w = w.clone();
        ws = ws.clone();
        clipScores = clipScores.clone();
        warnings = List.copyOf(warnings);
    }

    /**
     * How the candidates were ranked: the request's {@link SampleRequest#rerank()}, or {@link
     * RerankMode#FULL} with one candidate per image (nothing to rank, no preview rendered).
     */
    public RerankMode rankedBy() {
        return request.candidates() > 1 ? request.rerank() : RerankMode.FULL;
    }

    /** The seed that reproduces this result with the same request and bundle. */
    public long seed() {
        return request.seed();
    }

    @Override
    public float[] pixels() {
        return pixels.clone();
    }

    @Override
    public float[] w() {
        return w.clone();
    }

    @Override
    public float[] ws() {
        return ws.clone();
    }

    @Override
    public float[] clipScores() {
        return clipScores.clone();
    }

    /** Image {@code i} as 8-bit RGB. */
    public BufferedImage image(int i) {
        checkElementIndex(i, count, "image");
        return Images.toImage(pixels, i, height, width);
    }

    /** All images as 8-bit RGB. */
    public List<BufferedImage> images() {
        List<BufferedImage> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            images.add(image(i));
        }
        return images;
    }

    /**
     * Writes the images as PNG with the request, seed and bundle id in tEXt metadata. One image
     * goes to {@code file}; several go to {@code name-0.png}, {@code name-1.png}, ... next to it.
     *
     * @return the files written
     */
    public List<Path> save(Path file) throws IOException {
        List<Path> written = new ArrayList<>();
        if (count == 1) {
            save(0, file);
            written.add(file);
            return written;
        }
        String name = file.getFileName().toString();
        String stem = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        for (int i = 0; i < count; i++) {
            Path target = file.resolveSibling(stem + "-" + i + ".png");
            save(i, target);
            written.add(target);
        }
        return written;
    }

    /** Writes image {@code i} as PNG with its metadata. */
    public void save(int i, Path file) throws IOException {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "clip2latent-java");
        text.put("clip2latent.bundle", bundleId);
        text.put("clip2latent.seed", Long.toString(request.seed()));
        text.put("clip2latent.index", Integer.toString(i));
        text.put("clip2latent.request", request.describe());
        text.put("clip2latent.clipScore", Float.toString(clipScores[i]));
        PngFiles.write(file, image(i), text);
    }
}
