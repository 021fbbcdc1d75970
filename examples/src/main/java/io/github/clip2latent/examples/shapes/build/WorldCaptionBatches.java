package io.github.clip2latent.examples.shapes.build;

import io.github.clip2latent.examples.shapes.quality.BenchmarkPrompts;
import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.examples.shapes.WorldAttributes;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.examples.shapes.clip.ContrastiveBatch;
import io.github.clip2latent.examples.shapes.clip.ContrastiveBatchSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * (image, caption) pairs from the shapes world for training its CLIP: random latents, rendered with
 * the world's own renderer, each with a random caption that names only what the image shows
 * clearly. Captions never pair a held-out color with its held-out shape ({@link
 * BenchmarkPrompts#HELD_OUT}), so the benchmark can test combinations the CLIP never read.
 */
public final class WorldCaptionBatches implements ContrastiveBatchSource {

    private final ShapesWorld world;
    private final int batchSize;

    /** Batches of {@code batchSize} pairs from {@code world}. */
    public WorldCaptionBatches(ShapesWorld world, int batchSize) {
        this.world = world;
        this.batchSize = batchSize;
    }

    @Override
    public ContrastiveBatch next(RandomGenerator random) {
        SplittableRandom draw = new SplittableRandom(random.nextLong());
        float[] z = ShapesWorld.sampleZ(draw, batchSize);
        float[] w = world.map(z, batchSize);
        float[] ws = LayeredLatents.broadcast(w, batchSize, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
        float[] images = world.render(ws, batchSize);
        List<String> captions = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            captions.add(caption(world.attributes(ws, i), draw));
        }
        return new ContrastiveBatch(
                images, batchSize, ShapesWorld.IMAGE_SIZE, ShapesWorld.IMAGE_SIZE, captions);
    }

    /** A random truthful caption without a held-out pair; "a shape" if nothing is unambiguous. */
    static String caption(WorldAttributes truth, SplittableRandom random) {
        Optional<Caption> described = Caption.describe(truth, random);
        if (described.isEmpty()) {
            return "a shape";
        }
        Caption c = described.get();
        if (BenchmarkPrompts.namesHeldOutPair(c)) {
            c = new Caption(null, c.size(), c.color(), c.position(), c.background(), c.template());
        }
        return c.text();
    }
}
