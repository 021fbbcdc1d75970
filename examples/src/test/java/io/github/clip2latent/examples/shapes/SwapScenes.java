package io.github.clip2latent.examples.shapes;

import io.github.clip2latent.latent.LayeredLatents;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fresh scenes whose object color, background color and shape are all clear, each with its right
 * caption "a X shape on a Y background" and the color-swapped one "a Y shape on a X background":
 * the word-order probe of the world CLIP tests.
 *
 * @param ws the latents of every drawn scene {@code [drawn, NUM_WS, W_DIM]}
 * @param rows the drawn rows kept (clear colors and shape), in order
 * @param right the right caption of each kept row
 * @param swapped the color-swapped caption of each kept row
 * @param images the kept rows' images {@code [rows.size(), 3, 64, 64]}
 */
public record SwapScenes(
        float[] ws, List<Integer> rows, List<String> right, List<String> swapped, float[] images) {

    /**
     * Draws {@code drawn} seeded scenes and keeps those with clear colors and shape.
     *
     * @param world the world
     * @param seed the z seed
     * @param drawn how many scenes to draw
     * @return the kept scenes
     */
    public static SwapScenes draw(ShapesWorld world, long seed, int drawn) {
        float[] w = world.map(ShapesWorld.sampleZ(new SplittableRandom(seed), drawn), drawn);
        float[] ws = LayeredLatents.broadcast(w, drawn, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
        float[] all = world.render(ws, drawn);
        List<Integer> rows = new ArrayList<>();
        List<String> right = new ArrayList<>();
        List<String> swapped = new ArrayList<>();
        for (int i = 0; i < drawn; i++) {
            WorldAttributes t = world.attributes(ws, i);
            if (t.objectColorIsClear() && t.backgroundColorIsClear() && t.shapeIsClear()) {
                rows.add(i);
                right.add(sentence(t.objectColor(), t.shape(), t.backgroundColor()));
                swapped.add(sentence(t.backgroundColor(), t.shape(), t.objectColor()));
            }
        }
        int plane = 3 * ShapesWorld.IMAGE_SIZE * ShapesWorld.IMAGE_SIZE;
        float[] images = new float[rows.size() * plane];
        for (int k = 0; k < rows.size(); k++) {
            System.arraycopy(all, rows.get(k) * plane, images, k * plane, plane);
        }
        return new SwapScenes(ws, List.copyOf(rows), List.copyOf(right), List.copyOf(swapped), images);
    }

    /** "a X shape on a Y background", with "an" before "orange". */
    public static String sentence(PaletteColor object, Shape shape, PaletteColor background) {
        return Caption.withArticle(object.word() + " " + shape.word())
                + " on a "
                + background.word()
                + " background";
    }

    /** The number of kept scenes. */
    public int count() {
        return rows.size();
    }
}
