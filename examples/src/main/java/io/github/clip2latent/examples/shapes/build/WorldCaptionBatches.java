package io.github.clip2latent.examples.shapes.build;

import io.github.clip2latent.examples.shapes.CaptionAttribute;
import io.github.clip2latent.examples.shapes.CaptionWriter;
import io.github.clip2latent.examples.shapes.SceneCaption;
import io.github.clip2latent.examples.shapes.SceneEdit;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.examples.shapes.WorldAttributes;
import io.github.clip2latent.examples.shapes.clip.ContrastiveBatch;
import io.github.clip2latent.examples.shapes.clip.ContrastiveBatchSource;
import io.github.clip2latent.latent.LayeredLatents;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * (image, caption) pairs from the shapes world for training its CLIP. Half of each batch are random
 * latents; the other half are their twins ({@link ShapesWorld#edited}: the same scene with exactly
 * one attribute changed: colors swapped, another shape, mirrored left/right or top/bottom, or the
 * other size), and each pair's two captions name the same attributes, the changed one always
 * among them. So every batch holds hard negatives that differ from a true caption in one attribute
 * only, color swaps the most often (only word order tells those apart). Captions come from {@link
 * CaptionWriter} and never name a held-out color-shape pair. A few captions get one filler word the
 * CLIP is not trained on, which teaches the shared unknown-token row to be neutral. The batch
 * carries the full match matrix (which caption is true of which image), so the loss never pushes a
 * true caption away.
 */
public final class WorldCaptionBatches implements ContrastiveBatchSource {

    /** Words outside the caption vocabulary, inserted into a few captions (unknown-row training). */
    static final List<String> FILLERS =
            List.of("image", "picture", "photo", "drawing", "of", "showing", "simple", "and");

    /** Probability that a caption gets one filler word. */
    static final double FILLER_PROBABILITY = 0.05;

    /**
     * Probability that a pair tries the color swap first (else every edit is equally likely
     * first): binding the two colors is the hardest thing the captions teach.
     */
    static final double SWAP_FIRST = 0.3;

    private final ShapesWorld world;
    private final int batchSize;

    /** Batches of {@code batchSize} pairs (even, at least 4) from {@code world}. */
    public WorldCaptionBatches(ShapesWorld world, int batchSize) {
        if (batchSize < 4 || batchSize % 2 != 0) {
            throw new IllegalArgumentException("batchSize must be even and >= 4, got " + batchSize);
        }
        this.world = world;
        this.batchSize = batchSize;
    }

    @Override
    public ContrastiveBatch next(RandomGenerator random) {
        SplittableRandom draw = new SplittableRandom(random.nextLong());
        int half = batchSize / 2;
        int stride = ShapesWorld.NUM_WS * ShapesWorld.W_DIM;
        float[] z = ShapesWorld.sampleZ(draw, batchSize);
        float[] w = world.map(z, batchSize);
        float[] ws = LayeredLatents.broadcast(w, batchSize, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
        // Rows half.. become the twins of rows 0..half where an edit works (the edits tried in
        // random order, color swaps first with probability SWAP_FIRST); else they stay the
        // independent latents drawn for them.
        SceneEdit[] edit = new SceneEdit[batchSize];
        for (int i = 0; i < half; i++) {
            for (SceneEdit e : editOrder(draw)) {
                float[] twin = world.edited(ws, i, e);
                if (twin != null) {
                    System.arraycopy(twin, 0, ws, (half + i) * stride, stride);
                    edit[i] = e;
                    edit[half + i] = e;
                    break;
                }
            }
        }
        float[] images = world.render(ws, batchSize);
        WorldAttributes[] truth = new WorldAttributes[batchSize];
        SceneCaption[] said = new SceneCaption[batchSize];
        List<String> captions = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            truth[i] = world.attributes(ws, i);
        }
        for (int i = 0; i < batchSize; i++) {
            if (edit[i] == null) {
                said[i] = CaptionWriter.describe(truth[i], draw);
            } else if (i < half) {
                // The pair's shared attributes: a random choice plus the edited ones.
                SceneCaption drawn = CaptionWriter.describe(truth[i], draw);
                Set<CaptionAttribute> names =
                        drawn == null ? EnumSet.noneOf(CaptionAttribute.class) : named(drawn);
                names.addAll(edit[i].attributes());
                said[i] = CaptionWriter.describe(truth[i], names, draw);
            } else {
                said[i] =
                        said[i - half] == null
                                ? CaptionWriter.describe(truth[i], draw)
                                : CaptionWriter.describe(truth[i], named(said[i - half]), draw);
            }
            captions.add(said[i] == null ? "a shape" : withFiller(CaptionWriter.write(said[i], draw), draw));
        }
        boolean[] matches = new boolean[batchSize * batchSize];
        for (int i = 0; i < batchSize; i++) {
            for (int j = 0; j < batchSize; j++) {
                matches[i * batchSize + j] =
                        i == j || said[j] == null || said[j].matches(truth[i]);
            }
        }
        return new ContrastiveBatch(
                images,
                batchSize,
                ShapesWorld.IMAGE_SIZE,
                ShapesWorld.IMAGE_SIZE,
                captions,
                matches);
    }

    /** Every edit once, in random order, {@link SceneEdit#SWAP_COLORS} first with {@link #SWAP_FIRST}. */
    private static List<SceneEdit> editOrder(SplittableRandom random) {
        List<SceneEdit> order = new ArrayList<>(List.of(SceneEdit.values()));
        for (int i = order.size() - 1; i > 0; i--) {
            Collections.swap(order, i, random.nextInt(i + 1));
        }
        if (random.nextDouble() < SWAP_FIRST) {
            order.remove(SceneEdit.SWAP_COLORS);
            order.add(0, SceneEdit.SWAP_COLORS);
        }
        return order;
    }

    private static Set<CaptionAttribute> named(SceneCaption c) {
        Set<CaptionAttribute> out = EnumSet.noneOf(CaptionAttribute.class);
        if (c.shape() != null) {
            out.add(CaptionAttribute.SHAPE);
        }
        if (c.size() != null) {
            out.add(CaptionAttribute.SIZE);
        }
        if (c.color() != null) {
            out.add(CaptionAttribute.COLOR);
        }
        if (!c.positions().isEmpty()) {
            out.add(CaptionAttribute.POSITION);
        }
        if (c.background() != null) {
            out.add(CaptionAttribute.BACKGROUND);
        }
        return out;
    }

    private static String withFiller(String caption, SplittableRandom random) {
        if (random.nextDouble() >= FILLER_PROBABILITY) {
            return caption;
        }
        String[] words = caption.split(" ");
        int at = random.nextInt(words.length + 1);
        List<String> out = new ArrayList<>(List.of(words));
        out.add(at, FILLERS.get(random.nextInt(FILLERS.size())));
        return String.join(" ", out);
    }
}
