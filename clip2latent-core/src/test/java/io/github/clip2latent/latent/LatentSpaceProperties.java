package io.github.clip2latent.latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.diffusion.StandardNormal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/** Truncation, z-scoring, broadcasting, style mixing and edits. */
class LatentSpaceProperties {

    @Property(tries = 50)
    void truncationIsIdentityAtOneCenterAtZeroAndLinear(
            @ForAll long seed,
            @ForAll @FloatRange(min = 0, max = 1) float psi,
            @ForAll @IntRange(min = 1, max = 5) int rows) {
        SplittableRandom random = new SplittableRandom(seed);
        int dim = 12;
        float[] w = StandardNormal.sample(random, rows * dim);
        float[] center = StandardNormal.sample(random, dim);
        float[] one = w.clone();
        Truncation.applyInPlace(one, rows, center, 1f);
        assertArrayEquals(w, one);
        float[] zero = w.clone();
        Truncation.applyInPlace(zero, rows, center, 0f);
        for (int i = 0; i < zero.length; i++) {
            assertEquals(center[i % dim], zero[i]);
        }
        float[] truncated = w.clone();
        Truncation.applyInPlace(truncated, rows, center, psi);
        for (int i = 0; i < w.length; i++) {
            assertEquals(psi * w[i] + (1 - psi) * center[i % dim], truncated[i], 1e-5);
        }
    }

    @Test
    void truncationRejectsPsiOutsideZeroOne() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Truncation.applyInPlace(new float[2], 1, new float[2], 1.5f));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
    }

    @Property(tries = 50)
    void normalizeThenDenormalizeIsTheIdentity(
            @ForAll long seed, @ForAll @IntRange(min = 2, max = 20) int rows) {
        SplittableRandom random = new SplittableRandom(seed);
        int dim = 8;
        float[] w = StandardNormal.sample(random, rows * dim);
        for (int i = 0; i < w.length; i++) {
            w[i] = w[i] * (1 + (i % dim)) + (i % dim) - 3;
        }
        LatentStats stats = LatentStats.estimate(w, rows, dim);
        float[] roundTrip = w.clone();
        stats.normalizeInPlace(roundTrip, rows);
        stats.denormalizeInPlace(roundTrip, rows);
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], roundTrip[i], 1e-5 * Math.max(1, Math.abs(w[i])));
        }
    }

    @Test
    void estimatedStatsAreMeanAndUnbiasedStd() {
        float[] w = {1, 10, 2, 20, 3, 30, 6, 40};
        LatentStats stats = LatentStats.estimate(w, 4, 2);
        assertArrayEquals(new float[] {3f, 25f}, stats.mean());
        assertEquals(Math.sqrt(14.0 / 3), stats.std()[0], 1e-6);
        assertEquals(Math.sqrt(500.0 / 3), stats.std()[1], 1e-4);
        float[] normalized = w.clone();
        stats.normalizeInPlace(normalized, 4);
        assertEquals((1 - 3) / Math.sqrt(14.0 / 3), normalized[0], 1e-6);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new LatentStats(new float[] {0f}, new float[] {0f}));
        assertTrue(e.getMessage().contains("std[0]"), e.getMessage());
    }

    @Property(tries = 50)
    void editOfStrengthZeroIsTheIdentity(
            @ForAll long seed,
            @ForAll boolean perLayer,
            @ForAll @IntRange(min = 0, max = 3) int start) {
        SplittableRandom random = new SplittableRandom(seed);
        int rows = 2;
        int numWs = 4;
        int dim = 6;
        float[] ws = StandardNormal.sample(random, rows * numWs * dim);
        EditDirection direction =
                perLayer
                        ? EditDirection.ofLayers(
                                StandardNormal.sample(random, numWs * dim), numWs, dim)
                        : EditDirection.ofVector(StandardNormal.sample(random, dim));
        float[] edited = ws.clone();
        direction.applyInPlace(edited, rows, numWs, 0f, LayerRange.from(start, numWs));
        assertArrayEquals(ws, edited);
    }

    @Property(tries = 50)
    void editsAndStyleMixingChangeOnlyTheChosenLayers(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 5) int start,
            @ForAll @IntRange(min = 1, max = 6) int length,
            @ForAll @FloatRange(min = 0.5f, max = 3) float strength) {
        int numWs = 6;
        int end = Math.min(numWs, start + length);
        LayerRange range = new LayerRange(start, end);
        SplittableRandom random = new SplittableRandom(seed);
        int rows = 3;
        int dim = 5;
        float[] w = StandardNormal.sample(random, rows * dim);
        float[] ws = LayeredLatents.broadcast(w, rows, numWs, dim);
        float[] donor = StandardNormal.sample(random, rows * numWs * dim);
        float[] mixed = ws.clone();
        LayeredLatents.styleMixInPlace(mixed, donor, rows, numWs, dim, range);
        float[] edited = ws.clone();
        EditDirection.ofVector(StandardNormal.sample(random, dim))
                .applyInPlace(edited, rows, numWs, strength, range);
        for (int r = 0; r < rows; r++) {
            for (int l = 0; l < numWs; l++) {
                for (int d = 0; d < dim; d++) {
                    int i = (r * numWs + l) * dim + d;
                    assertEquals(w[r * dim + d], ws[i], "broadcast copies w to every layer");
                    if (range.contains(l)) {
                        assertEquals(donor[i], mixed[i]);
                        assertNotEquals(ws[i], edited[i]);
                    } else {
                        assertEquals(ws[i], mixed[i]);
                        assertEquals(ws[i], edited[i]);
                    }
                }
            }
        }
    }

    @Test
    void differenceOfMeansPointsFromNegativeToPositive() {
        float[] positive = {1, 2, 3, 4};
        float[] negative = {0, 0, 2, 2, 4, 4};
        EditDirection direction = EditDirection.differenceOfMeans(positive, 2, negative, 3, 2);
        assertArrayEquals(new float[] {0f, 1f}, direction.values());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> EditDirection.ofLayers(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("(2, 3)"), e.getMessage());
        IllegalArgumentException range =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                LayeredLatents.styleMixInPlace(
                                        new float[8], new float[8], 1, 4, 2, new LayerRange(2, 5)));
        assertTrue(range.getMessage().contains("4 layers"), range.getMessage());
    }
}
