package io.github.clip2latent.tokenizer;

import com.fasterxml.jackson.databind.json.JsonMapper;

import io.github.clip2latent.tokenizer.Bpe.Merge;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a CLIP-format vocabulary ({@code vocab.json} and {@code merges.txt}) from a word list, for
 * small custom CLIP models, such that {@link ClipTokenizer} turns each given word into exactly one
 * token; other words still tokenize, into smaller pieces.
 *
 * <p>The vocabulary has real CLIP's layout: the 256 byte symbols, the same with {@code </w>}, one
 * token per distinct merge result in merge order, then {@code <|startoftext|>} and {@code
 * <|endoftext|>}.
 *
 * <p>How merges are chosen: for each word in turn, run BPE with the merges so far; while the word
 * is still several pieces, append merges that join those pieces left to right. Appended merges rank
 * after all earlier ones, so BPE first replays exactly what it did before (the earlier merges
 * always win), then joins the pieces; and words already finished are untouched, because their BPE
 * ends, at one token, before any later merge could apply.
 *
 * <p>Instances are immutable.
 */
public final class ClipVocabularyWriter {

    /** The header line that {@code merges.txt} files start with; readers skip it. */
    public static final String MERGES_HEADER = "#version: 0.2";

    private final List<String> tokens;
    private final List<Merge> merges;

    private ClipVocabularyWriter(List<String> tokens, List<Merge> merges) {
        this.tokens = List.copyOf(tokens);
        this.merges = List.copyOf(merges);
    }

    /**
     * Builds the vocabulary for {@code words}. Each word is cleaned and lower-cased as prompts are,
     * and must then be one piece of CLIP's split pattern: a run of letters, a single digit, or a
     * run of other non-space characters.
     *
     * @param words the words that must each become one token; duplicates are ignored
     * @return the vocabulary, ready to write
     * @throws IllegalArgumentException if a word is empty, splits into several pieces (such as
     *     {@code "new york"} or {@code "42"}), or is a special token
     */
    public static ClipVocabularyWriter forWords(Collection<String> words) {
        Objects.requireNonNull(words, "words");
        Set<String> pieces = new LinkedHashSet<>();
        for (String word : words) {
            Objects.requireNonNull(word, "words must not contain null");
            List<String> split = ClipTokenizer.split(word);
            if (split.size() != 1) {
                throw new IllegalArgumentException(
                        "word \""
                                + word
                                + "\" must be one piece for CLIP's"
                                + " split pattern but is "
                                + split.size()
                                + ": "
                                + split);
            }
            String piece = split.get(0);
            if (piece.equals(ClipTokenizer.START_OF_TEXT)
                    || piece.equals(ClipTokenizer.END_OF_TEXT)) {
                throw new IllegalArgumentException("word \"" + word + "\" is a special token");
            }
            pieces.add(ByteUnicode.encodeUtf8(piece));
        }
        List<Merge> merges = new ArrayList<>();
        Map<String, Integer> ranks = new HashMap<>();
        for (String piece : pieces) {
            List<String> symbols = Bpe.apply(piece, ranks);
            // Terminates: each round the joins apply after the replay, so the word ends shorter.
            while (symbols.size() > 1) {
                String joined = symbols.get(0);
                for (int i = 1; i < symbols.size(); i++) {
                    Merge merge = new Merge(joined, symbols.get(i));
                    // Never re-rank an existing merge: that would change words already done.
                    if (ranks.putIfAbsent(merge.key(), merges.size()) == null) {
                        merges.add(merge);
                    }
                    joined = merge.result();
                }
                symbols = Bpe.apply(piece, ranks);
            }
        }
        List<String> tokens =
                new ArrayList<>(new LinkedHashSet<>(ClipTokenizer.clipLayout(merges)));
        return new ClipVocabularyWriter(tokens, merges);
    }

    /** {@return the vocabulary in id order: token {@code i} has id {@code i}} */
    public List<String> tokens() {
        return tokens;
    }

    /** {@return the merges in rank order, each as its {@code merges.txt} line {@code "a b"}} */
    public List<String> merges() {
        List<String> lines = new ArrayList<>(merges.size());
        for (Merge m : merges) {
            lines.add(m.first() + " " + m.second());
        }
        return lines;
    }

    /**
     * Writes {@code vocab.json} and {@code merges.txt} into {@code directory}, creating it if
     * needed; see {@link #write(Path, Path)}.
     *
     * @param directory where the two files go
     * @throws IOException if writing fails; the message names the file
     */
    public void writeTo(Path directory) throws IOException {
        Files.createDirectories(directory);
        write(directory.resolve("vocab.json"), directory.resolve("merges.txt"));
    }

    /**
     * Writes the vocabulary as a JSON object of token to id, and the merges after {@link
     * #MERGES_HEADER}, one per line. Each file is written to a temporary file beside it and then
     * renamed, so a reader never sees half a file.
     *
     * @param vocabJson where the vocabulary goes
     * @param mergesTxt where the merges go
     * @throws IOException if writing fails; the message names the file
     */
    public void write(Path vocabJson, Path mergesTxt) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        writeAtomically(vocabJson, out -> JsonMapper.builder().build().writeValue(out, vocab));
        writeAtomically(
                mergesTxt,
                out -> {
                    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                    w.write(MERGES_HEADER);
                    w.write('\n');
                    for (String line : merges()) {
                        w.write(line);
                        w.write('\n');
                    }
                    w.flush();
                });
    }

    private interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static void writeAtomically(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.writeTo(out);
            }
            try {
                Files.move(
                        tmp,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException(target + ": cannot write: " + e.getMessage(), e);
        }
    }
}
