package io.github.clip2latent.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class ClipVocabularyWriterTest {

    // Overlapping words on purpose: "ab" inside "cab" and "abab" is where a naive merge order
    // fails.
    private static final List<String> WORDS =
            List.of(
                    "cat", "cab", "ab", "abab", "ba", "aaa", "Café", "naïve", "猫", "東京", "hello",
                    "...", "?!", "a", "'s", "bab");

    @TempDir Path dir;

    @Test
    void everyWordRoundTripsToOneToken() throws IOException {
        ClipVocabularyWriter.forWords(WORDS).writeTo(dir);
        ClipTokenizer t =
                ClipTokenizer.fromFiles(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        for (String word : WORDS) {
            TokenizedText out = t.tokenize(word);
            assertEquals(3, out.length(), word + " -> " + out);
            assertEquals(t.startOfTextId(), out.id(0));
            assertEquals(t.endOfTextId(), out.id(2));
            assertEquals(
                    word.toLowerCase(java.util.Locale.ROOT) + " ",
                    t.decode(new int[] {(int) out.id(1)}));
        }
    }

    @Test
    void unknownWordsStillTokenizeIntoPieces() throws IOException {
        ClipVocabularyWriter.forWords(WORDS).writeTo(dir);
        ClipTokenizer t =
                ClipTokenizer.fromFiles(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        int[] ids = t.encode("dog cabs 42");
        assertTrue(ids.length > 3, "pieces: " + ids.length);
        assertEquals("dog cabs 4 2 ", t.decode(ids));
    }

    @Test
    void layoutIsRealClips() throws IOException {
        ClipVocabularyWriter w = ClipVocabularyWriter.forWords(List.of("cat"));
        List<String> tokens = w.tokens();
        assertEquals("!", tokens.get(0));
        assertEquals("\u0120", tokens.get(220));
        assertEquals("a</w>", tokens.get(320));
        assertEquals(List.of("c a", "ca t</w>"), w.merges());
        assertEquals(
                List.of("ca", "cat</w>", "<|startoftext|>", "<|endoftext|>"),
                tokens.subList(512, tokens.size()));
        w.writeTo(dir);
        List<String> lines = Files.readAllLines(dir.resolve("merges.txt"), StandardCharsets.UTF_8);
        assertEquals(List.of("#version: 0.2", "c a", "ca t</w>"), lines);
        assertTrue(Files.readString(dir.resolve("vocab.json")).contains("\"cat</w>\":513"));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void rewritingReplacesTheFiles() throws IOException {
        ClipVocabularyWriter.forWords(List.of("cat")).writeTo(dir);
        ClipVocabularyWriter.forWords(List.of("dog")).writeTo(dir);
        ClipTokenizer t =
                ClipTokenizer.fromFiles(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        assertEquals(1, t.encode("dog").length);
        assertEquals(3, t.encode("cat").length);
    }

    @Test
    void wordsThatAreSeveralPiecesAreRejected() {
        for (String bad : List.of("new york", "42", "it's", "", "  ", "<|endoftext|>")) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> ClipVocabularyWriter.forWords(List.of("cat", bad)));
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
    }
}
