package io.github.clip2latent.conditioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.clip2latent.diffusion.StandardNormal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/** Pseudo-text noise of paper Appendix A.1 and cosine similarity. */
class PseudoTextNoiseProperties {

    private static final int DIM = 512;

    @Property(tries = 15)
    void keepsTheNormAndGivesTheExpectedMeanCosine(
            @ForAll @DoubleRange(min = 0.1, max = 3) double alpha, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int rows = 200;
        float[] original = StandardNormal.sample(random, rows * DIM);
        for (int i = 0; i < original.length; i++) {
            original[i] *= 3; // CLIP embeddings are not unit norm
        }
        float[] perturbed = original.clone();
        new PseudoTextNoise(alpha).applyInPlace(perturbed, rows, DIM, random);
        double meanCosine = 0;
        for (int r = 0; r < rows; r++) {
            double before = norm(original, r);
            double after = norm(perturbed, r);
            assertEquals(before, after, 1e-4 * before, "norm kept");
            meanCosine += Similarity.cosine(original, r * DIM, perturbed, r * DIM, DIM) / rows;
        }
        // In high dimension n is nearly orthogonal to u, so cos(c, c') ~ 1 / sqrt(1 + alpha^2).
        assertEquals(1 / Math.sqrt(1 + alpha * alpha), meanCosine, 0.01);
    }

    @Test
    void alphaZeroIsTheIdentityAndNegativeAlphaIsRejected() {
        float[] c = StandardNormal.sample(new SplittableRandom(3), 2 * DIM);
        float[] copy = c.clone();
        new PseudoTextNoise(0).applyInPlace(copy, 2, DIM, new SplittableRandom(4));
        assertArrayEquals(c, copy);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new PseudoTextNoise(-1));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("-1"));
    }

    @Test
    void cosineSimilarityOfKnownVectors() {
        assertEquals(1.0, Similarity.cosine(new float[] {1, 2}, new float[] {2, 4}), 1e-12);
        assertEquals(0.0, Similarity.cosine(new float[] {1, 0}, new float[] {0, 3}), 1e-12);
        assertEquals(-1.0, Similarity.cosine(new float[] {1, 1}, new float[] {-2, -2}), 1e-12);
        assertEquals(0.0, Similarity.cosine(new float[] {0, 0}, new float[] {1, 1}));
    }

    private static double norm(float[] values, int row) {
        double sum = 0;
        for (int d = 0; d < DIM; d++) {
            sum += (double) values[row * DIM + d] * values[row * DIM + d];
        }
        return Math.sqrt(sum);
    }
}
