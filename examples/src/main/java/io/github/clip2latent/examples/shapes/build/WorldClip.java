package io.github.clip2latent.examples.shapes.build;

import io.github.clip2latent.examples.shapes.quality.BenchmarkPrompts;
import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.tokenizer.ClipTokenizer;
import io.github.clip2latent.tokenizer.ClipVocabularyWriter;
import io.github.clip2latent.examples.shapes.clip.ClipConfig;
import io.github.clip2latent.examples.shapes.clip.ClipModel;
import io.github.clip2latent.examples.shapes.clip.ClipOnnxExporter;
import io.github.clip2latent.examples.shapes.clip.ClipOnnxModels;
import io.github.clip2latent.examples.shapes.clip.ClipTrainer;
import io.github.clip2latent.examples.shapes.clip.TrainingListener;
import io.github.clip2latent.examples.shapes.clip.TrainingOptions;
import io.github.clip2latent.examples.shapes.clip.TrainingSummary;
import io.github.clip2latent.train.dataset.ProgressListener;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The shapes world's CLIP: a CLIP-format vocabulary of the caption words, and a small image and
 * text encoder trained contrastively (symmetric InfoNCE, learned temperature) on rendered images
 * and their captions, exported to ONNX.
 */
final class WorldClip {

    /** The world CLIP's image input: the 32 x 32 area downsample of the 64 x 64 images. */
    static final int IMAGE_INPUT_SIZE = ClipConfig.DEFAULT_IMAGE_SIZE;

    private WorldClip() {}

    /**
     * Writes {@code vocab.json} and {@code merges.txt} (CLIP's format) for every caption word into
     * {@code dir}.
     */
    static ClipTokenizer writeVocabulary(ShapesWorld world, Path dir) throws IOException {
        TreeSet<String> words = new TreeSet<>();
        SplittableRandom random = new SplittableRandom(world.seed());
        WorldCaptionBatches batches = new WorldCaptionBatches(world, 256);
        for (int i = 0; i < 20; i++) {
            batches.next(random).captions().forEach(c -> addWords(c, words));
        }
        BenchmarkPrompts.captions().stream().map(Caption::text).forEach(c -> addWords(c, words));
        words.add("shape");
        ClipVocabularyWriter.forWords(words).writeTo(dir);
        return ClipTokenizer.fromFiles(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
    }

    private static void addWords(String caption, TreeSet<String> words) {
        for (String word : caption.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
    }

    /** Trains the CLIP with embedding width {@code embeddingDim} and exports both encoders. */
    static ClipOnnxModels train(
            ShapesWorld world,
            ClipTokenizer tokenizer,
            int embeddingDim,
            int steps,
            int batch,
            long seed,
            ProgressListener progress) {
        SplittableRandom random = new SplittableRandom(seed);
        ClipModel model =
                ClipModel.initialize(
                        ClipConfig.defaults(tokenizer).withEmbeddingDim(embeddingDim), random);
        ClipTrainer trainer = ClipTrainer.create(model, tokenizer, TrainingOptions.defaults());
        long start = System.nanoTime();
        TrainingListener listener =
                (step, loss, accuracy) -> {
                    if (step % 100 == 0 || step == steps) {
                        double seconds = (System.nanoTime() - start) / 1e9;
                        progress.progress(
                                String.format(
                                        Locale.ROOT,
                                        "world CLIP: step %d/%d, loss %.3f, in-batch accuracy %.3f,"
                                                + " %.2f s/step, ETA %.0f s",
                                        step,
                                        steps,
                                        loss,
                                        accuracy,
                                        seconds / step,
                                        seconds / step * (steps - step)));
                    }
                };
        TrainingSummary summary =
                trainer.train(new WorldCaptionBatches(world, batch), steps, random, listener);
        progress.progress(
                String.format(
                        Locale.ROOT,
                        "world CLIP trained: loss %.3f, accuracy %.3f, logit scale %.2f",
                        summary.finalLoss(),
                        summary.finalAccuracy(),
                        summary.logitScale()));
        return ClipOnnxExporter.export(model);
    }
}
