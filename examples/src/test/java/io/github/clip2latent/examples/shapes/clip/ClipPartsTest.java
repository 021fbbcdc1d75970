package io.github.clip2latent.examples.shapes.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.tokenizer.ClipTokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Validation, targets, loss and retrieval arithmetic, and seeding: everything but training itself.
 */
class ClipPartsTest {

    @TempDir Path dir;

    @Test
    void targetsAreIdentityForDistinctCaptionsAndShareMassForRepeats() {
        assertArrayEquals(new float[] {1, 0, 0, 1}, ClipTrainer.targets(List.of("a", "b")));
        float[] t = ClipTrainer.targets(List.of("a", "b", "a", "a"));
        float third = 1f / 3;
        assertArrayEquals(
                new float[] {
                    third, 0, third, third, 0, 1, 0, 0, third, 0, third, third, third, 0, third,
                    third
                },
                t,
                1e-7f);
    }

    @Test
    void infoNceIsLogBatchAtZeroLogitsAndSmallWhenDiagonalDominates() {
        float[] zero = new float[9];
        assertEquals(
                Math.log(3),
                ClipTrainer.infoNce(zero, ClipTrainer.targets(List.of("a", "b", "c")), 3),
                1e-12);
        float[] diagonal = {20, 0, 0, 0, 20, 0, 0, 0, 20};
        assertTrue(
                ClipTrainer.infoNce(diagonal, ClipTrainer.targets(List.of("a", "b", "c")), 3)
                        < 1e-6);
        // Equal captions: the best possible loss is log(copies), reached at equal logits within the
        // class.
        float[] twoClasses = {5, 5, 0, 5, 5, 0, 0, 0, 5};
        double best =
                ClipTrainer.infoNce(twoClasses, ClipTrainer.targets(List.of("a", "a", "b")), 3);
        assertEquals((2 * Math.log(2)) / 3, best, 0.05);
    }

    @Test
    void retrievalScoresAgainstDistinctCaptions() {
        // Two images of "x" and one of "y"; image 1 points at y's text.
        float[] image = {1, 0, 0, 1, 0, 1};
        float[] text = {1, 0, 1, 0, 0, 1};
        assertEquals(
                2.0 / 3,
                Retrieval.topOneAccuracy(image, text, 3, 2, List.of("x", "x", "y")),
                1e-12);
        assertThrows(
                IllegalArgumentException.class,
                () -> Retrieval.topOneAccuracy(image, text, 3, 2, List.of("x", "y")));
    }

    @Test
    void configAndBatchRejectBadValues() throws Exception {
        ClipTokenizer tokenizer = ToySquares.tokenizer(dir);
        ClipConfig ok = ClipConfig.defaults(tokenizer);
        assertEquals(4, ok.featureSide());
        assertEquals(64 * 16, ok.flatFeatures());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new ClipConfig(
                                ok.vocabularySize(),
                                77,
                                ok.vocabularySize(),
                                64,
                                64,
                                128,
                                32,
                                List.of(16),
                                128));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new ClipConfig(
                                ok.vocabularySize(),
                                77,
                                ok.endOfTextId(),
                                64,
                                64,
                                128,
                                36,
                                List.of(16, 32, 64),
                                128));
        assertThrows(IllegalArgumentException.class, () -> ok.withEmbeddingDim(0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ContrastiveBatch(new float[3 * 4], 1, 2, 2, List.of("a")));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ContrastiveBatch(new float[2 * 3 * 4], 2, 2, 2, List.of("a")));
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainingOptions.defaults().withLearningRate(0));
    }

    @Test
    void trainerRejectsAnotherTokenizer() throws Exception {
        ClipTokenizer tokenizer = ToySquares.tokenizer(dir);
        ClipModel model =
                ClipModel.initialize(ClipConfig.defaults(tokenizer), new SplittableRandom(1));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        ClipTrainer.create(
                                model,
                                tokenizer.withContextLength(16),
                                TrainingOptions.defaults()));
    }

    @Test
    void textWeightsFollowTheFirstEndTokenAndRowsWithoutOneAreRejected() throws Exception {
        ClipTokenizer tokenizer = ToySquares.tokenizer(dir);
        ClipModel model =
                ClipModel.initialize(ClipConfig.defaults(tokenizer), new SplittableRandom(1));
        long[] ids = tokenizer.tokenizeBatch(List.of("a red square"));
        float[] w = model.tokenWeights(ids, 1).data().asFloat();
        for (int p = 0; p < 77; p++) {
            assertEquals(p <= 4 ? 0.2f : 0f, w[p], 1e-7f, "position " + p);
        }
        long[] noEnd = new long[77];
        assertThrows(IllegalArgumentException.class, () -> model.embedTexts(noEnd, 1));
        long[] outside = ids.clone();
        outside[1] = tokenizer.vocabularySize();
        assertThrows(IllegalArgumentException.class, () -> model.embedTexts(outside, 1));
    }

    @Test
    void initializationDependsOnlyOnTheSeed() throws Exception {
        ClipTokenizer tokenizer = ToySquares.tokenizer(dir);
        ClipConfig config = ClipConfig.defaults(tokenizer).withEmbeddingDim(16);
        ClipModel a = ClipModel.initialize(config, new SplittableRandom(5));
        ClipModel b = ClipModel.initialize(config, new SplittableRandom(5));
        ClipModel c = ClipModel.initialize(config, new SplittableRandom(6));
        assertEquals(a.parameterNames(), b.parameterNames());
        for (String name : a.parameterNames()) {
            assertEquals(a.parameter(name), b.parameter(name), name);
        }
        assertTrue(!a.parameter("image.conv0.w").equals(c.parameter("image.conv0.w")));
        assertEquals(ClipModel.INITIAL_LOGIT_SCALE, a.logitScale(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> a.parameter("nope"));
    }
}
