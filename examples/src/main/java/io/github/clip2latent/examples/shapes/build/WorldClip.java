package io.github.clip2latent.examples.shapes.build;

import io.github.clip2latent.convert.clip.ClipConfig;
import io.github.clip2latent.examples.shapes.CaptionWriter;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.examples.shapes.clip.ClipModel;
import io.github.clip2latent.examples.shapes.clip.ClipOnnxModels;
import io.github.clip2latent.examples.shapes.clip.ClipTrainer;
import io.github.clip2latent.examples.shapes.clip.ConvImageTower;
import io.github.clip2latent.examples.shapes.clip.TrainedTokens;
import io.github.clip2latent.examples.shapes.clip.TrainingListener;
import io.github.clip2latent.examples.shapes.clip.TrainingOptions;
import io.github.clip2latent.examples.shapes.clip.TrainingSummary;
import io.github.clip2latent.tokenizer.ClipTokenizer;
import io.github.clip2latent.tokenizer.TruncationPolicy;
import io.github.clip2latent.train.dataset.ProgressListener;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The shapes world's CLIP: OpenAI's architecture at a miniature size ({@link #architecture}), with
 * OpenAI's own BPE tokenizer, trained contrastively on rendered images and their captions ({@link
 * WorldCaptionBatches}), exported by the same graph writer as OpenAI's published models.
 */
public final class WorldClip {

    /** Resource of OpenAI's merge list, shipped with the examples for the importer. */
    public static final String BPE_RESOURCE =
            "/io/github/clip2latent/examples/importer/bpe_simple_vocab_16e6.txt.gz";

    /** File name of the merge list in a bundle. */
    public static final String BPE_FILE = "bpe_simple_vocab_16e6.txt.gz";

    /** Tokens per prompt, start and end tokens included; longer prompts are truncated. */
    public static final int CONTEXT_LENGTH = 24;

    /** The world CLIP's image input: the 32 x 32 area downsample of the 64 x 64 images. */
    static final int IMAGE_INPUT_SIZE = 32;

    private WorldClip() {}

    /**
     * The world CLIP's architecture: embedding {@code embedDim}, 32 px images, context {@value
     * #CONTEXT_LENGTH}, OpenAI's 49,408-token vocabulary, text width 64 x 3 blocks x 2 heads; its
     * ViT fields (8 px patches, a 4 x 4 grid plus the class token, vision width 64 x 2 blocks x 2
     * heads) apply when the model is made without {@link #imageTower}, as in the tower comparison
     * and the ViT tests; the bundle build uses the CNN.
     *
     * @param embedDim the joint embedding width (the world's w width, 32)
     * @return the configuration
     */
    public static ClipConfig architecture(int embedDim) {
        return new ClipConfig(embedDim, IMAGE_INPUT_SIZE, 8, 64, 2, 2, CONTEXT_LENGTH, 49408, 64, 3, 2);
    }

    /**
     * The world CLIP's image tower: three strided convolutions (16, 32, 64 channels) on the 32 px
     * input, flattened, a 128-wide hidden layer. It replaces OpenAI's ViT ({@link #architecture}'s
     * vision fields are unused) because it measures better at the rebuild's budget: after 300
     * steps of the same batches, zero-shot position 0.590 against the ViT's 0.281 (0.367 after 900
     * steps at lr 3e-3), shape 0.495 against 0.472 (benchmarks/scripts/WorldClipTowers.java,
     * docs/shapes-world.md).
     *
     * @param embedDim the joint embedding width
     * @return the tower
     */
    public static ConvImageTower imageTower(int embedDim) {
        return new ConvImageTower(IMAGE_INPUT_SIZE, List.of(16, 32, 64), 128, embedDim);
    }

    /**
     * Copies OpenAI's merge list into {@code dir} and loads it as the world CLIP's tokenizer
     * (context {@value #CONTEXT_LENGTH}, truncating).
     *
     * @param dir an existing folder
     * @return the tokenizer
     * @throws IOException when copying or reading fails
     */
    public static ClipTokenizer writeTokenizer(Path dir) throws IOException {
        Path target = dir.resolve(BPE_FILE);
        if (!Files.exists(target)) {
            Path temp = dir.resolve(BPE_FILE + ".tmp");
            try (InputStream in = WorldClip.class.getResourceAsStream(BPE_RESOURCE)) {
                if (in == null) {
                    throw new IOException("class-path resource " + BPE_RESOURCE + " is missing");
                }
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return tokenizer(target);
    }

    /** OpenAI's tokenizer from a merge list, at the world CLIP's context length. */
    static ClipTokenizer tokenizer(Path bpeFile) throws IOException {
        return ClipTokenizer.fromBpeFile(bpeFile)
                .withContextLength(CONTEXT_LENGTH)
                .withTruncationPolicy(TruncationPolicy.TRUNCATE);
    }

    /** OpenAI's tokenizer from the shipped resource, for tests and tools. */
    public static ClipTokenizer bundledTokenizer() {
        try {
            Path dir = Files.createTempDirectory("world-clip-bpe");
            try {
                return writeTokenizer(dir);
            } finally {
                Files.deleteIfExists(dir.resolve(BPE_FILE));
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The token ids of every word and punctuation mark the training captions use, with the start
     * and end tokens.
     *
     * @param tokenizer OpenAI's tokenizer
     * @return the trained ids
     */
    public static TrainedTokens trainedTokens(ClipTokenizer tokenizer) {
        TreeSet<Integer> ids = new TreeSet<>();
        for (String word : CaptionWriter.vocabulary()) {
            for (int id : tokenizer.encode(word)) {
                ids.add(id);
            }
        }
        ids.add(tokenizer.startOfTextId());
        ids.add(tokenizer.endOfTextId());
        return TrainedTokens.of(tokenizer.vocabularySize(), ids);
    }

    /** Trains the CLIP with embedding width {@code embedDim} and exports both encoders. */
    static ClipOnnxModels train(
            ShapesWorld world,
            ClipTokenizer tokenizer,
            int embedDim,
            int steps,
            int batch,
            long seed,
            ProgressListener progress) {
        SplittableRandom random = new SplittableRandom(seed);
        TrainedTokens tokens = trainedTokens(tokenizer);
        ClipModel model =
                ClipModel.initialize(
                        architecture(embedDim),
                        imageTower(embedDim),
                        tokens,
                        tokenizer.endOfTextId(),
                        random);
        progress.progress(
                String.format(
                        Locale.ROOT,
                        "world CLIP: %d parameters, %d trained token ids",
                        model.parameterCount(),
                        tokens.size()));
        // The rate falls linearly to 0 at the last step, so the run ends settled.
        ClipTrainer trainer =
                ClipTrainer.create(
                        model, tokenizer, TrainingOptions.defaults().withDecaySteps(steps));
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
        return ClipOnnxModels.export(
                model,
                String.format(
                        Locale.ROOT,
                        "shapes-world CLIP, world seed %d, %d steps of %d, seed %d",
                        world.seed(),
                        steps,
                        batch,
                        seed));
    }
}
