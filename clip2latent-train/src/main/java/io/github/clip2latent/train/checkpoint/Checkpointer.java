package io.github.clip2latent.train.checkpoint;

import io.github.clip2latent.train.loop.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Saves a trainer's state every {@code every} steps as {@code step-<12 digits>.ckpt} in one
 * directory, keeping the newest {@code keep} files; finds the newest one to resume from.
 */
public final class Checkpointer {

    private static final Pattern NAME = Pattern.compile("step-(\\d{12})\\.ckpt");

    private final Path directory;
    private final long every;
    private final int keep;

    /**
     * Creates a checkpointer; the directory is created if missing.
     *
     * @param directory where checkpoints go
     * @param every save when the step count is a multiple of this, {@code >= 1}
     * @param keep how many newest checkpoints to keep, {@code >= 1}
     * @throws IOException if the directory cannot be created
     */
    public Checkpointer(Path directory, long every, int keep) throws IOException {
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1, got " + every);
        }
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        this.directory = Files.createDirectories(directory);
        this.every = every;
        this.keep = keep;
    }

    /**
     * Saves if the trainer's step count is a positive multiple of {@code every}.
     *
     * @param trainer the trainer, between steps
     * @return the file written, if any
     * @throws IOException if writing fails (no partial file is left under the final name)
     */
    public Optional<Path> maybeSave(Trainer trainer) throws IOException {
        long step = trainer.stepCount();
        if (step == 0 || step % every != 0) {
            return Optional.empty();
        }
        return Optional.of(save(trainer));
    }

    /**
     * Saves now and prunes older checkpoints beyond {@code keep}.
     *
     * @param trainer the trainer, between steps
     * @return the file written
     * @throws IOException if writing fails
     */
    public Path save(Trainer trainer) throws IOException {
        Path file = directory.resolve(String.format("step-%012d.ckpt", trainer.stepCount()));
        CheckpointFiles.write(file, trainer.state());
        List<Path> all = list(directory);
        for (int i = 0; i < all.size() - keep; i++) {
            Files.deleteIfExists(all.get(i));
        }
        return file;
    }

    /**
     * The newest complete checkpoint in a directory (temporary files are ignored).
     *
     * @param directory a checkpoint directory
     * @return the file with the highest step, if any
     * @throws IOException if the directory cannot be listed
     */
    public static Optional<Path> latest(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return Optional.empty();
        }
        List<Path> all = list(directory);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Every complete-named checkpoint in a directory, newest first: resuming tries them in this
     * order, so a corrupt newest one falls back to the older ones kept.
     *
     * @param directory a checkpoint directory
     * @return the files by descending step; empty if the directory does not exist
     * @throws IOException if the directory cannot be listed
     */
    public static List<Path> newestFirst(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<Path> all = new ArrayList<>(list(directory));
        java.util.Collections.reverse(all);
        return all;
    }

    /** Checkpoint files sorted by step; zero-padded names make the lexical order the step order. */
    private static List<Path> list(Path directory) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.filter(
                            p -> {
                                Matcher m = NAME.matcher(p.getFileName().toString());
                                return m.matches();
                            })
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }
}
