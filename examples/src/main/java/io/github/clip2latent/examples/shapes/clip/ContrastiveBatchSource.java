package io.github.clip2latent.examples.shapes.clip;

import java.util.random.RandomGenerator;

/**
 * Where training pairs come from: a fixed data set or a world that draws scenes on the fly.
 * Implementations take all their randomness from the generator passed in, so a seeded generator
 * gives a reproducible stream of batches.
 */
@FunctionalInterface
public interface ContrastiveBatchSource {

    /**
     * The next batch.
     *
     * @param random the only randomness to use
     * @return a batch; its size may vary between calls
     */
    ContrastiveBatch next(RandomGenerator random);
}
