package io.github.clip2latent.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.json.JsonMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

class ClipTokenizerLoadingTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> MERGES = List.of("c a", "ca t</w>", "d o", "do g</w>");

    @TempDir Path dir;

    /** CLIP-layout vocab for MERGES: cat</w> is 513, dog</w> 515, start 516, end 517. */
    private static Map<String, Integer> vocab() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> tokens = ClipTokenizer.clipLayout(Fixtures.tokenizerMerges(MERGES));
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        return vocab;
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private Path writeJson(String name, Object value) throws IOException {
        return write(name, JSON.writeValueAsString(value));
    }

    private Path mergesTxt() throws IOException {
        return write("merges.txt", "#version: 0.2\n" + String.join("\n", MERGES) + "\n");
    }

    private static void assertCatDog(ClipTokenizer t) {
        assertArrayEquals(
                new long[] {516, 513, 515, 517, 0},
                java.util.Arrays.copyOf(t.tokenize("Cat dog").ids(), 5));
    }

    @Test
    void loadsVocabJsonAndMergesTxt() throws IOException {
        ClipTokenizer t = ClipTokenizer.fromFiles(writeJson("vocab.json", vocab()), mergesTxt());
        assertCatDog(t);
        assertEquals(4, t.mergeCount());
        assertEquals(518, t.vocabularySize());
    }

    @Test
    void loadsGzippedMergesAndLimitsTheirNumber() throws IOException {
        Path gz = dir.resolve("bpe.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            // An extra merge whose result is not in the vocab, as CLIP's file holds more than it
            // uses.
            out.write(
                    ("#version: 0.2\n" + String.join("\n", MERGES) + "\nx y\n")
                            .getBytes(StandardCharsets.UTF_8));
        }
        Path vocab = writeJson("vocab.json", vocab());
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(vocab, gz));
        assertTrue(e.getMessage().contains(gz.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("merge #5 \"x y\""), e.getMessage());
        assertCatDog(ClipTokenizer.fromFiles(vocab, gz, 4));
        // Derived vocabulary, as SimpleTokenizer builds it from the merges alone.
        assertCatDog(ClipTokenizer.fromBpeFile(gz, 4));
        IOException tooShort =
                assertThrows(IOException.class, () -> ClipTokenizer.fromBpeFile(gz, 9));
        assertTrue(tooShort.getMessage().contains("holds 5 merges"), tooShort.getMessage());
    }

    @Test
    void loadsTokenizerJsonWithStringOrPairMerges() throws IOException {
        List<Object> pairs = new ArrayList<>();
        for (String m : MERGES) {
            pairs.add(List.of(m.split(" ")));
        }
        for (Object merges : List.of(MERGES, pairs)) {
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("type", "BPE");
            model.put("vocab", vocab());
            model.put("merges", merges);
            model.put("end_of_word_suffix", "</w>");
            Path file = writeJson("tokenizer.json", Map.of("model", model));
            assertCatDog(ClipTokenizer.fromTokenizerJson(file));
        }
    }

    @Test
    void specialTokensMayComeFromAddedTokens() throws IOException {
        Map<String, Integer> vocab = vocab();
        vocab.remove(ClipTokenizer.START_OF_TEXT);
        vocab.remove(ClipTokenizer.END_OF_TEXT);
        Path file =
                writeJson(
                        "tokenizer.json",
                        Map.of(
                                "model", Map.of("vocab", vocab, "merges", MERGES),
                                "added_tokens",
                                        List.of(
                                                Map.of("id", 516, "content", "<|startoftext|>"),
                                                Map.of("id", 517, "content", "<|endoftext|>"))));
        assertCatDog(ClipTokenizer.fromTokenizerJson(file));
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path merges = mergesTxt();
        Path missing = dir.resolve("nope/vocab.json");
        IOException e =
                assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(missing, merges));
        assertInstanceOf(NoSuchFileException.class, e);
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        Path vocab = writeJson("vocab.json", vocab());
        Path noMerges = dir.resolve("merges-missing.txt");
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(vocab, noMerges));
        assertTrue(e.getMessage().contains(noMerges.toString()), e.getMessage());
    }

    @Test
    void malformedJsonIsNamedAndKeepsItsCause() throws IOException {
        Path bad = write("vocab.json", "{\"a\": 1,");
        IOException e =
                assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(bad, mergesTxt()));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
        assertNotNull(e.getCause());
        Path dup = write("dup.json", "{\"a\": 1, \"a\": 2}");
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(dup, mergesTxt()));
        assertTrue(e.getMessage().contains("Duplicate field"), e.getMessage());
        Path notInt = write("str.json", "{\"a\": \"x\"}");
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(notInt, mergesTxt()));
        assertTrue(e.getMessage().contains("token \"a\" has id \"x\""), e.getMessage());
        Path array = write("arr.json", "[1, 2]");
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(array, mergesTxt()));
        assertTrue(e.getMessage().contains(array + ": expected a JSON object"), e.getMessage());
    }

    @Test
    void mergeLineWithoutTwoPartsIsNamedWithItsLine() throws IOException {
        Path vocab = writeJson("vocab.json", vocab());
        Path merges = write("merges.txt", "#version: 0.2\nc a\nca\n");
        IOException e =
                assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(vocab, merges));
        assertTrue(e.getMessage().contains(merges + " line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("\"ca\""), e.getMessage());
        Path three = write("merges3.txt", "c a t\n");
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(vocab, three));
        assertTrue(e.getMessage().contains(three + " line 1"), e.getMessage());
    }

    @Test
    void vocabWithoutSpecialTokensIsRejected() throws IOException {
        Map<String, Integer> vocab = vocab();
        vocab.remove(ClipTokenizer.END_OF_TEXT);
        Path file = writeJson("vocab.json", vocab);
        IOException e =
                assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(file, mergesTxt()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("<|endoftext|>"), e.getMessage());
    }

    @Test
    void vocabWithoutByteSymbolsIsRejected() throws IOException {
        Map<String, Integer> vocab = vocab();
        vocab.remove("z</w>");
        Path file = writeJson("vocab.json", vocab);
        IOException e =
                assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(file, mergesTxt()));
        assertTrue(e.getMessage().contains("\"z</w>\""), e.getMessage());
    }

    @Test
    void tokenizerJsonOfAnotherKindIsRejected() throws IOException {
        Path wordPiece = writeJson("wp.json", Map.of("model", Map.of("type", "WordPiece")));
        IOException e =
                assertThrows(IOException.class, () -> ClipTokenizer.fromTokenizerJson(wordPiece));
        assertTrue(
                e.getMessage().contains(wordPiece + ": model.type is \"WordPiece\""),
                e.getMessage());
        Path noModel = writeJson("nomodel.json", Map.of("version", "1.0"));
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromTokenizerJson(noModel));
        assertTrue(e.getMessage().contains(noModel.toString()), e.getMessage());
        Path badMerge =
                writeJson(
                        "badmerge.json",
                        Map.of(
                                "model",
                                Map.of("vocab", vocab(), "merges", List.of("c a", List.of("x")))));
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromTokenizerJson(badMerge));
        assertTrue(e.getMessage().contains(badMerge + " model.merges[1]"), e.getMessage());
    }

    private Path gzip(String name, byte[] content) throws IOException {
        Path gz = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(content);
        }
        return gz;
    }

    @Test
    void openAiHeaderLineIsSkippedWhateverItHolds() throws IOException {
        // OpenAI's header is "\"bpe_simple_vocab_16e6.txt#version: 0.2": two words, not a merge.
        Path gz =
                gzip(
                        "bpe_simple_vocab_16e6.txt.gz",
                        ("\"bpe_simple_vocab_16e6.txt#version: 0.2\n" + String.join("\n", MERGES))
                                .getBytes(StandardCharsets.UTF_8));
        assertCatDog(ClipTokenizer.fromBpeFile(gz, 4));
    }

    @Test
    void bpeFileThatIsNotGzipIsNamed() throws IOException {
        Path plain = write("bpe_simple_vocab_16e6.txt.gz", "#version: 0.2\nc a\n");
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.fromBpeFile(plain));
        assertTrue(e.getMessage().startsWith(plain + ": not gzip data (starts with 0x23 0x76)"),
                e.getMessage());
        Path empty = write("empty.txt.gz", "");
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromBpeFile(empty));
        assertTrue(e.getMessage().contains(empty + ": not gzip data (starts with nothing"),
                e.getMessage());
    }

    @Test
    void truncatedOrCorruptGzipIsNamed() throws IOException {
        Path whole = gzip("whole.gz", ("#h\n" + "a b\n".repeat(5000)).getBytes(StandardCharsets.UTF_8));
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(dir.resolve("cut.gz"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.fromBpeFile(cut, 10));
        assertTrue(e.getMessage().startsWith(cut + ": corrupt or truncated gzip data"),
                e.getMessage());
        bytes[bytes.length / 2] ^= 0x55;
        bytes[bytes.length / 2 + 1] ^= 0x55;
        Path corrupt = Files.write(dir.resolve("corrupt.gz"), bytes);
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromBpeFile(corrupt, 10));
        assertTrue(e.getMessage().startsWith(corrupt + ": corrupt or truncated gzip data"),
                e.getMessage());
        Path latin1 = gzip("latin1.gz", new byte[] {'#', '\n', 'a', ' ', (byte) 0xe9, '\n'});
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromBpeFile(latin1, 1));
        assertTrue(e.getMessage().startsWith(latin1 + ": the unpacked text is not valid UTF-8"),
                e.getMessage());
    }

    @Test
    void wrongMergeCountIsNamed() throws IOException {
        Path gz = gzip("bpe.gz", ("#version: 0.2\n" + String.join("\n", MERGES) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.fromBpeFile(gz));
        assertTrue(e.getMessage().startsWith(gz + ": holds 4 merges after its header line,"
                + " expected at least 48894"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.fromBpeFile(gz, 0));
        Path bad = gzip("bad.gz", "#h\nc a\nca t </w>\n".getBytes(StandardCharsets.UTF_8));
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromBpeFile(bad, 2));
        assertTrue(e.getMessage().startsWith(bad + " line 3: a merge needs exactly two symbols"),
                e.getMessage());
    }

    @Test
    void mergesTxtCutShortIsRejectedNotSilentlyUsed() throws IOException {
        Path vocab = writeJson("vocab.json", vocab());
        Path merges = write("merges.txt", "#version: 0.2\nc a\nca t</w>\nd o\n");
        IOException e =
                assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(vocab, merges));
        assertTrue(e.getMessage().startsWith(merges + ": holds 3 merges, but 1 tokens of " + vocab),
                e.getMessage());
        assertTrue(e.getMessage().contains("\"dog</w>\", id 515"), e.getMessage());
        e = assertThrows(IOException.class, () -> ClipTokenizer.fromFiles(vocab, mergesTxt(), 2));
        assertTrue(e.getMessage().contains("holds 2 merges, but 2 tokens"), e.getMessage());
    }
}
