package io.github.clip2latent.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

/** Classifier-free guidance: the combination formula and the batching of its passes. */
class GuidanceProperties {

    @Property(tries = 60)
    void scaleOneIsTheConditionalPredictionInOneCallOfBRows(
            @ForAll @IntRange(min = 1, max = 9) int rows,
            @ForAll @IntRange(min = 0, max = 999) int t,
            @ForAll long seed) {
        RecordingDenoiser denoiser = new RecordingDenoiser(6, 3, 0.5f, 2f);
        SplittableRandom random = new SplittableRandom(seed);
        float[] condition = StandardNormal.sample(random, rows * 3);
        float[] x = StandardNormal.sample(random, rows * 6);
        float[] x0 = new float[rows * 6];
        ClassifierFreeGuidance guidance = ClassifierFreeGuidance.of(denoiser, 1f, condition, rows);
        guidance.predictX0(x, t, x0);
        assertEquals(List.of(rows), denoiser.callRows);
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < 6; d++) {
                assertEquals(
                        denoiser.expected(x[r * 6 + d], condition[r * 3 + d % 3], true, t),
                        x0[r * 6 + d],
                        1e-6);
            }
        }
    }

    @Property(tries = 60)
    void otherScalesCombineBothPassesFromOneCallOf2BRows(
            @ForAll @IntRange(min = 1, max = 9) int rows,
            @ForAll @FloatRange(min = 0, max = 8) float scale,
            @ForAll @IntRange(min = 0, max = 999) int t,
            @ForAll long seed) {
        if (scale == 1f) {
            return;
        }
        RecordingDenoiser denoiser = new RecordingDenoiser(4, 4, 0.25f, 1.5f);
        SplittableRandom random = new SplittableRandom(seed);
        float[] condition = StandardNormal.sample(random, rows * 4);
        float[] x = StandardNormal.sample(random, rows * 4);
        float[] x0 = new float[rows * 4];
        ClassifierFreeGuidance.of(denoiser, scale, condition, rows).predictX0(x, t, x0);
        assertEquals(List.of(2 * rows), denoiser.callRows);
        for (int i = 0; i < rows * 4; i++) {
            float cond = denoiser.expected(x[i], condition[i], true, t);
            float uncond = denoiser.expected(x[i], condition[i], false, t);
            assertEquals(uncond + scale * (cond - uncond), x0[i], 1e-4);
        }
    }

    @Property(tries = 30)
    void sequentialBatchingGivesTheSameResultInTwoCallsOfBRows(
            @ForAll @IntRange(min = 1, max = 6) int rows, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] condition = StandardNormal.sample(random, rows * 4);
        float[] x = StandardNormal.sample(random, rows * 4);
        RecordingDenoiser batchedDenoiser = new RecordingDenoiser(4, 4, 0.25f, 1.5f);
        RecordingDenoiser sequentialDenoiser = new RecordingDenoiser(4, 4, 0.25f, 1.5f);
        float[] batched = new float[rows * 4];
        float[] sequential = new float[rows * 4];
        ClassifierFreeGuidance.create(
                        batchedDenoiser,
                        3f,
                        condition,
                        null,
                        rows,
                        ClassifierFreeGuidance.Batching.BATCHED)
                .predictX0(x, 500, batched);
        ClassifierFreeGuidance.create(
                        sequentialDenoiser,
                        3f,
                        condition,
                        null,
                        rows,
                        ClassifierFreeGuidance.Batching.SEQUENTIAL)
                .predictX0(x, 500, sequential);
        org.junit.jupiter.api.Assertions.assertArrayEquals(batched, sequential);
        assertEquals(List.of(2 * rows), batchedDenoiser.callRows);
        assertEquals(List.of(rows, rows), sequentialDenoiser.callRows);
    }

    @Test
    void negativeEmbeddingReplacesTheDroppedCondition() {
        RecordingDenoiser denoiser = new RecordingDenoiser(2, 2, 1f, 1f);
        float[] condition = {1f, 2f, 3f, 4f};
        float[] negative = {-1f, 0.5f, 0f, 2f};
        float[] x = {0.1f, 0.2f, 0.3f, 0.4f};
        float[] x0 = new float[4];
        ClassifierFreeGuidance.withNegative(denoiser, 3f, condition, negative, 2)
                .predictX0(x, 10, x0);
        for (int i = 0; i < 4; i++) {
            float cond = denoiser.expected(x[i], condition[i], true, 10);
            float neg = denoiser.expected(x[i], negative[i], true, 10);
            assertEquals(neg + 3f * (cond - neg), x0[i], 1e-5);
        }
    }

    @Test
    void samplingMakesOneDenoiserCallPerStep() {
        RecordingDenoiser denoiser = new RecordingDenoiser(4, 4, 0.1f, 1f);
        int rows = 3;
        float[] condition = StandardNormal.sample(new SplittableRandom(1), rows * 4);
        float[] x = StandardNormal.sample(new SplittableRandom(2), rows * 4);
        var plan =
                io.github.clip2latent.schedule.SamplingPlan.referenceSkip(
                        io.github.clip2latent.schedule.NoiseSchedule.cosine(1000), 100);
        DdpmSampler.INSTANCE.sample(
                plan,
                ClassifierFreeGuidance.of(denoiser, 2f, condition, rows),
                x,
                rows,
                4,
                new SplittableRandom(3));
        assertEquals(10, denoiser.callRows.size());
        assertTrue(denoiser.callRows.stream().allMatch(n -> n == 2 * rows));
    }

    @Test
    void invalidArgumentsNameTheValue() {
        RecordingDenoiser denoiser = new RecordingDenoiser(2, 2, 1f, 1f);
        IllegalArgumentException negative =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ClassifierFreeGuidance.of(denoiser, -0.5f, new float[2], 1));
        assertTrue(negative.getMessage().contains("-0.5"), negative.getMessage());
        IllegalArgumentException size =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ClassifierFreeGuidance.of(denoiser, 2f, new float[3], 1));
        assertTrue(size.getMessage().contains("3"), size.getMessage());
    }
}
