package io.github.clip2latent.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The BPE merge loop of CLIP's {@code SimpleTokenizer.bpe}, shared by tokenizer and writer. */
final class Bpe {

    /** CLIP marks the last symbol of every word with this suffix. */
    static final String END_OF_WORD = "</w>";

    private Bpe() {}

    /** One merge rule: the adjacent symbols {@code first}, {@code second} become one. */
    record Merge(String first, String second) {
        String result() {
            return first + second;
        }

        /** The key under which ranks are stored; merge parts never hold whitespace. */
        String key() {
            return key(first, second);
        }

        static String key(String first, String second) {
            return first + ' ' + second;
        }
    }

    /**
     * Splits a byte-encoded word into symbols (the last one with {@code </w>}) and applies merges
     * lowest rank first, every non-overlapping occurrence left to right, until none applies.
     *
     * @param word a non-empty string of {@link ByteUnicode} characters
     * @param ranks merge key ({@link Merge#key()}) to rank; lower merges first
     */
    static List<String> apply(String word, Map<String, Integer> ranks) {
        int n = word.length();
        List<String> symbols = new ArrayList<>(n);
        for (int i = 0; i < n - 1; i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        symbols.add(word.charAt(n - 1) + END_OF_WORD);
        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = ranks.get(Merge.key(symbols.get(i), symbols.get(i + 1)));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    first = symbols.get(i);
                    second = symbols.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(symbols.size() - 1);
            for (int i = 0; i < symbols.size(); i++) {
                if (i + 1 < symbols.size()
                        && symbols.get(i).equals(first)
                        && symbols.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(symbols.get(i));
                }
            }
            symbols = merged;
        }
        return symbols;
    }
}
