package io.github.clip2latent.examples.shapes.clip;

import io.github.clip2latent.tokenizer.ClipTokenizer;
import io.github.clip2latent.tokenizer.ClipVocabularyWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A toy world for the tests: a 64 x 64 black image with one filled square of one of four colors,
 * inside one of the four quadrants, captioned "a red square" or "a red square at the top left".
 *
 * @param rows batch size
 * @param withPosition whether captions name the quadrant
 */
record ToySquares(int rows, boolean withPosition) implements ContrastiveBatchSource {

    static final int SIZE = 64;
    static final List<String> COLORS = List.of("red", "green", "blue", "yellow");
    static final List<String> QUADRANTS =
            List.of("top left", "top right", "bottom left", "bottom right");
    private static final float[][] RGB = {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}, {1, 1, -1}};
    static final List<String> WORDS =
            List.of(
                    "a", "square", "at", "the", "red", "green", "blue", "yellow", "top", "bottom",
                    "left", "right");

    /** Writes the one-token-per-word vocabulary into {@code dir} and loads it. */
    static ClipTokenizer tokenizer(Path dir) throws IOException {
        ClipVocabularyWriter.forWords(WORDS).writeTo(dir);
        return ClipTokenizer.fromFiles(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
    }

    static String caption(int color, int quadrant, boolean withPosition) {
        String base = "a " + COLORS.get(color) + " square";
        return withPosition ? base + " at the " + QUADRANTS.get(quadrant) : base;
    }

    @Override
    public ContrastiveBatch next(RandomGenerator random) {
        int[] colors = new int[rows];
        int[] quadrants = new int[rows];
        for (int r = 0; r < rows; r++) {
            colors[r] = random.nextInt(COLORS.size());
            quadrants[r] = random.nextInt(QUADRANTS.size());
        }
        return render(colors, quadrants, random);
    }

    /** Draws the given scenes, with random square sizes and places inside their quadrants. */
    ContrastiveBatch render(int[] colors, int[] quadrants, RandomGenerator random) {
        int n = colors.length;
        float[] images = new float[n * 3 * SIZE * SIZE];
        java.util.Arrays.fill(images, -1f);
        List<String> captions = new ArrayList<>(n);
        int half = SIZE / 2;
        for (int r = 0; r < n; r++) {
            int side = 10 + random.nextInt(11);
            int x0 = (quadrants[r] % 2) * half + random.nextInt(half - side + 1);
            int y0 = (quadrants[r] / 2) * half + random.nextInt(half - side + 1);
            for (int c = 0; c < 3; c++) {
                int plane = (r * 3 + c) * SIZE * SIZE;
                for (int y = y0; y < y0 + side; y++) {
                    for (int x = x0; x < x0 + side; x++) {
                        images[plane + y * SIZE + x] = RGB[colors[r]][c];
                    }
                }
            }
            captions.add(caption(colors[r], quadrants[r], withPosition));
        }
        return new ContrastiveBatch(images, n, SIZE, SIZE, captions);
    }

    /** Every (color, quadrant) scene once: 16 images, 4 or 16 distinct captions. */
    ContrastiveBatch everyScene(RandomGenerator random) {
        int[] colors = new int[16];
        int[] quadrants = new int[16];
        for (int i = 0; i < 16; i++) {
            colors[i] = i % 4;
            quadrants[i] = i / 4;
        }
        return render(colors, quadrants, random);
    }
}
