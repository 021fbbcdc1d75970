package io.github.clip2latent.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.UniqueElements;

import java.util.List;

class ClipTokenizerProperties {

    private static final ClipTokenizer TOKENIZER =
            Fixtures.tokenizer("a b", "ab c</w>", "t h", "th e</w>", "Ġ Ġ", "Ã ©</w>")
                    .withTruncationPolicy(TruncationPolicy.TRUNCATE);

    @Property(tries = 500)
    void truncateModeNeverThrowsAndFramesTheRow(
            @ForAll @StringLength(max = 300) String text,
            @ForAll @IntRange(min = 2, max = 80) int contextLength) {
        ClipTokenizer t = TOKENIZER.withContextLength(contextLength);
        TokenizedText out = t.tokenize(text);
        long[] ids = out.ids();
        assertEquals(contextLength, ids.length);
        assertEquals(t.startOfTextId(), ids[0]);
        assertEquals(out.length() - 1, out.eotIndex());
        assertEquals(t.endOfTextId(), ids[out.eotIndex()]);
        for (int i = out.eotIndex() + 1; i < ids.length; i++) {
            assertEquals(0, ids[i]);
        }
        for (int i = 1; i < out.eotIndex(); i++) {
            assertTrue(ids[i] >= 0 && ids[i] < t.vocabularySize());
        }
        assertEquals(t.encode(text).length + 2 > contextLength, out.truncated());
    }

    @Property(tries = 200)
    void writerMakesEveryWordOneToken(
            @ForAll @Size(min = 1, max = 12) @UniqueElements
                    List<@StringLength(min = 1, max = 8) @CharRange(from = 'a', to = 'c') String>
                            words)
            throws Exception {
        // A three-letter alphabet makes words overlap a lot, which is what breaks naive merge
        // orders.
        ClipVocabularyWriter w = ClipVocabularyWriter.forWords(words);
        ClipTokenizer t =
                ClipTokenizer.create(
                        new TokenizerFiles.Tables(
                                toVocab(w.tokens()),
                                Fixtures.tokenizerMerges(w.merges()),
                                "vocab",
                                "merges"));
        for (String word : words) {
            assertEquals(1, t.encode(word).length, word + " in " + words);
        }
    }

    @Property(tries = 100)
    void writerHandlesAnyLetterWord(
            @ForAll @StringLength(min = 1, max = 10) @AlphaChars String a,
            @ForAll @StringLength(min = 1, max = 10) @AlphaChars String b)
            throws Exception {
        ClipVocabularyWriter w = ClipVocabularyWriter.forWords(List.of(a, b));
        ClipTokenizer t =
                ClipTokenizer.create(
                        new TokenizerFiles.Tables(
                                toVocab(w.tokens()),
                                Fixtures.tokenizerMerges(w.merges()),
                                "vocab",
                                "merges"));
        assertEquals(1, t.encode(a).length);
        assertEquals(1, t.encode(b).length);
    }

    private static java.util.Map<String, Integer> toVocab(List<String> tokens) {
        java.util.Map<String, Integer> vocab = new java.util.HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        return vocab;
    }
}
