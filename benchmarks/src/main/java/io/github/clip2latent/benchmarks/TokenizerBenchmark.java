package io.github.clip2latent.benchmarks;

import io.github.clip2latent.tokenizer.ClipTokenizer;
import io.github.clip2latent.tokenizer.ClipVocabularyWriter;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * CLIP tokenizer throughput, prompts per millisecond, on a vocabulary written at set-up for a list
 * of prompt words (CLIP's own 49,408-token vocabulary is not shipped with the project).
 *
 * <p>Two cases bound the real one: a prompt of known words, whose pieces hit the tokenizer's cache
 * after the first call, and prompts of words never seen before (drawn in turn from 50,000 made-up
 * words, more than the 10,000-entry cache holds), each run through byte-pair merging.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class TokenizerBenchmark {

    /** Words of the written vocabulary: each becomes one token. */
    static final List<String> WORDS =
            List.of(
                    "a",
                    "an",
                    "the",
                    "photo",
                    "of",
                    "portrait",
                    "old",
                    "young",
                    "man",
                    "woman",
                    "child",
                    "with",
                    "glasses",
                    "smiling",
                    "serious",
                    "red",
                    "blue",
                    "green",
                    "hair",
                    "beard",
                    "hat",
                    "wearing",
                    "mountain",
                    "lake",
                    "sunset",
                    "forest",
                    "snow",
                    "river",
                    "under",
                    "sky",
                    "at",
                    "night",
                    "painting",
                    "by",
                    "in",
                    "style",
                    "small",
                    "large",
                    "circle",
                    "square",
                    "triangle",
                    "on",
                    "left",
                    "right");

    private static final String KNOWN_PROMPT =
            "A photo of an old man with glasses, smiling, wearing a red hat";
    private static final int NOVEL_WORDS = 50_000;
    private static final int WORDS_PER_PROMPT = 8;

    private ClipTokenizer tokenizer;
    private String[] novelPrompts;
    private int next;

    /** Writes the vocabulary and makes the unseen prompts; not measured. */
    @Setup
    public void setUp() throws IOException {
        Path dir = BenchmarkData.directory().resolve("tokenizer");
        ClipVocabularyWriter.forWords(WORDS).writeTo(dir);
        tokenizer = ClipTokenizer.fromFiles(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        SplittableRandom random = new SplittableRandom(BenchmarkData.SEED);
        List<String> prompts = new ArrayList<>();
        StringBuilder prompt = new StringBuilder();
        for (int w = 0; w < NOVEL_WORDS; w++) {
            int length = 4 + random.nextInt(6);
            for (int i = 0; i < length; i++) {
                prompt.append((char) ('a' + random.nextInt(26)));
            }
            if ((w + 1) % WORDS_PER_PROMPT == 0) {
                prompts.add(prompt.toString());
                prompt.setLength(0);
            } else {
                prompt.append(' ');
            }
        }
        novelPrompts = prompts.toArray(String[]::new);
    }

    /** A prompt of known words; after warm-up every piece comes from the cache. */
    @Benchmark
    public void knownPrompt(Blackhole blackhole) {
        blackhole.consume(tokenizer.tokenize(KNOWN_PROMPT));
    }

    /** A prompt of 8 words not seen for the last 49,992 words: byte-pair merging every time. */
    @Benchmark
    public void unseenWords(Blackhole blackhole) {
        String prompt = novelPrompts[next];
        next = next + 1 == novelPrompts.length ? 0 : next + 1;
        blackhole.consume(tokenizer.tokenize(prompt));
    }
}
