package io.github.clip2latent.examples.shapes.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.clip.ClipWeights;
import io.github.clip2latent.examples.shapes.build.WorldClip;
import io.github.clip2latent.tokenizer.ClipTokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Targets, loss and retrieval arithmetic, the compact token table, validation and seeding:
 * everything but training itself.
 */
class ClipPartsTest {

    private static final ClipTokenizer TOKENIZER = WorldClip.bundledTokenizer();

    private static ContrastiveBatch batch(List<String> captions, boolean[] matches) {
        int n = captions.size();
        return new ContrastiveBatch(new float[n * 3 * 4], n, 2, 2, captions, matches);
    }

    @Test
    void targetsAreIdentityForDistinctCaptionsAndShareMassForRepeats() {
        ClipTrainer.Targets distinct = ClipTrainer.targets(batch(List.of("a", "b"), null));
        assertArrayEquals(new float[] {1, 0, 0, 1}, distinct.image());
        assertArrayEquals(new float[] {1, 0, 0, 1}, distinct.text());
        float third = 1f / 3;
        ClipTrainer.Targets repeats =
                ClipTrainer.targets(batch(List.of("a", "b", "a", "a"), null));
        assertArrayEquals(
                new float[] {
                    third, 0, third, third, 0, 1, 0, 0, third, 0, third, third, third, 0, third,
                    third
                },
                repeats.image(),
                1e-7f);
    }

    @Test
    void matchMatrixSpreadsEachDirectionOverWhatIsTrue() {
        // Caption 1 ("a red shape") is true of both images; caption 0 only of image 0.
        boolean[] m = {true, true, false, true};
        ClipTrainer.Targets t = ClipTrainer.targets(batch(List.of("a red circle", "a red shape"), m));
        // Image 0: captions 0 and 1; image 1: caption 1.
        assertArrayEquals(new float[] {0.5f, 0.5f, 0, 1}, t.image(), 1e-7f);
        // Caption 0: image 0; caption 1: images 0 and 1.
        assertArrayEquals(new float[] {1, 0, 0.5f, 0.5f}, t.text(), 1e-7f);
        assertThrows(
                IllegalArgumentException.class,
                () -> batch(List.of("a", "b"), new boolean[] {true, false, false, false}));
    }

    @Test
    void infoNceIsLogBatchAtZeroLogitsAndSmallWhenDiagonalDominates() {
        ClipTrainer.Targets three = ClipTrainer.targets(batch(List.of("a", "b", "c"), null));
        assertEquals(Math.log(3), ClipTrainer.infoNce(new float[9], three, 3), 1e-12);
        float[] diagonal = {20, 0, 0, 0, 20, 0, 0, 0, 20};
        assertTrue(ClipTrainer.infoNce(diagonal, three, 3) < 1e-6);
        float[] twoClasses = {5, 5, 0, 5, 5, 0, 0, 0, 5};
        double best =
                ClipTrainer.infoNce(
                        twoClasses, ClipTrainer.targets(batch(List.of("a", "a", "b"), null)), 3);
        assertEquals((2 * Math.log(2)) / 3, best, 0.05);
    }

    @Test
    void retrievalScoresAgainstDistinctCaptions() {
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
    void compactTableMapsEveryUntrainedIdToTheUnknownRow() {
        TrainedTokens tokens = TrainedTokens.of(6, new TreeSet<>(List.of(2, 5)));
        assertEquals(3, tokens.compactRows());
        assertEquals(0, tokens.compactRow(0));
        assertEquals(1, tokens.compactRow(2));
        assertEquals(2, tokens.compactRow(5));
        assertTrue(tokens.contains(5));
        assertFalse(tokens.contains(4));
        float[] full = tokens.expand(new float[] {9, 9, 2, 2, 5, 5}, 2);
        assertArrayEquals(new float[] {9, 9, 9, 9, 2, 2, 9, 9, 9, 9, 5, 5}, full);
        assertThrows(IllegalArgumentException.class, () -> tokens.compactRow(6));
        assertThrows(
                IllegalArgumentException.class, () -> TrainedTokens.of(6, new TreeSet<>(List.of(6))));
    }

    @Test
    void worldTokensCoverTheCaptionWordsAndTheWeightsUseOpenAiShapes() {
        TrainedTokens tokens = WorldClip.trainedTokens(TOKENIZER);
        for (String word : List.of("centre", "middle", "tiny", "background", ",")) {
            for (int id : TOKENIZER.encode(word)) {
                assertTrue(tokens.contains(id), word + " is trained");
            }
        }
        for (int id : TOKENIZER.encode("hexagon")) {
            assertFalse(tokens.contains(id), "hexagon is not trained");
        }
        ClipModel model =
                ClipModel.initialize(
                        WorldClip.architecture(32),
                        tokens,
                        TOKENIZER.endOfTextId(),
                        new SplittableRandom(1));
        ClipWeights w = model.weights();
        assertArrayEquals(new long[] {49408, 64}, w.get(ClipWeights.TOKEN_EMBEDDING).shape());
        assertArrayEquals(new long[0], w.get(ClipWeights.LOGIT_SCALE).shape());
        assertEquals(ClipModel.INITIAL_LOGIT_SCALE, model.logitScale(), 1e-6);
        // Untrained rows are all the unknown row.
        float[] table = w.get(ClipWeights.TOKEN_EMBEDDING).data();
        int hexagon = TOKENIZER.encode("hexagon")[0];
        for (int k = 0; k < 64; k++) {
            assertEquals(table[k], table[hexagon * 64 + k], "unknown row, column " + k);
        }
    }

    @Test
    void validationAndSeeding() {
        TrainedTokens tokens = WorldClip.trainedTokens(TOKENIZER);
        ClipModel a = init(tokens, 5);
        ClipModel b = init(tokens, 5);
        ClipModel c = init(tokens, 6);
        assertEquals(
                a.weights().get(ClipWeights.CONV1), b.weights().get(ClipWeights.CONV1), "seeded");
        assertFalse(a.weights().get(ClipWeights.CONV1).equals(c.weights().get(ClipWeights.CONV1)));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        ClipModel.initialize(
                                WorldClip.architecture(32), tokens, 3, new SplittableRandom(1)));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        ClipTrainer.create(
                                a, TOKENIZER.withContextLength(16), TrainingOptions.defaults()));
        long[] noEnd = new long[WorldClip.CONTEXT_LENGTH];
        assertThrows(IllegalArgumentException.class, () -> a.embedTexts(noEnd, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ContrastiveBatch(new float[3 * 4], 1, 2, 2, List.of("a")));
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainingOptions.defaults().withLearningRate(0));
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainingOptions.defaults().withWarmupSteps(-1));
    }

    private static ClipModel init(TrainedTokens tokens, long seed) {
        return ClipModel.initialize(
                WorldClip.architecture(32),
                tokens,
                TOKENIZER.endOfTextId(),
                new SplittableRandom(seed));
    }
}
