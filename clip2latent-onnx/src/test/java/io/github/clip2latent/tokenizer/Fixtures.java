package io.github.clip2latent.tokenizer;

import io.github.clip2latent.tokenizer.Bpe.Merge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Hand-built CLIP-layout tokenizers whose ids can be worked out on paper. */
final class Fixtures {

    private Fixtures() {}

    /**
     * A tokenizer in real CLIP's layout with the given merges ({@code "a b"} lines): byte symbol
     * ids 0..255, the same with {@code </w>} 256..511, merge {@code k} makes id {@code 512 + k},
     * then start and end tokens.
     */
    static ClipTokenizer tokenizer(String... mergeLines) {
        List<Merge> merges = tokenizerMerges(List.of(mergeLines));
        Map<String, Integer> vocab = new HashMap<>();
        List<String> tokens = ClipTokenizer.clipLayout(merges);
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        try {
            return ClipTokenizer.create(
                    new TokenizerFiles.Tables(vocab, merges, "test vocab", "test merges"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses {@code "a b"} lines into merges. */
    static List<Merge> tokenizerMerges(List<String> lines) {
        List<Merge> merges = new ArrayList<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            merges.add(new Merge(parts[0], parts[1]));
        }
        return merges;
    }

    /** Id of the bare symbol of a printable ASCII character ({@code '!'} is 0). */
    static int sym(char c) {
        return c - '!';
    }

    /** Id of a printable ASCII character with {@code </w>}, i.e. at the end of a word. */
    static int end(char c) {
        return 256 + sym(c);
    }

    /** Id of the symbol of any byte, from its position in CLIP's vocab order. */
    static int byteSym(int b) {
        char c = ByteUnicode.encode(b);
        for (int i = 0; i < 256; i++) {
            if (ByteUnicode.inVocabOrder(i) == c) {
                return i;
            }
        }
        throw new AssertionError(b);
    }
}
