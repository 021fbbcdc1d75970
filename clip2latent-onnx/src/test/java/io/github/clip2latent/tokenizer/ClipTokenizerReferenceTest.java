package io.github.clip2latent.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tokenizer built from OpenAI's own {@code bpe_simple_vocab_16e6.txt.gz} against the reference
 * goldens ({@code /reference/tokenizer/}, made with OpenAI CLIP's {@code SimpleTokenizer}, {@code
 * clip.tokenize} and the real ftfy 6.1.1): all 41 prompts, ids exact, truncated rows exact.
 */
class ClipTokenizerReferenceTest {

    private static final String DIR = "/reference/tokenizer/";

    @TempDir static Path tmp;

    private static Path bpe;
    private static ClipTokenizer tokenizer;
    private static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        bpe = copy("bpe_simple_vocab_16e6.txt.gz");
        tokenizer = ClipTokenizer.fromBpeFile(bpe);
        try (InputStream in = resource("tokenizer_cases.json")) {
            golden = new ObjectMapper().readTree(in);
        }
    }

    static InputStream resource(String name) {
        InputStream in = ClipTokenizerReferenceTest.class.getResourceAsStream(DIR + name);
        if (in == null) {
            throw new IllegalStateException(DIR + name + " not on the test class path");
        }
        return in;
    }

    static Path copy(String name) throws IOException {
        Path file = tmp.resolve(name);
        if (!Files.exists(file)) {
            try (InputStream in = resource(name)) {
                Files.copy(in, file);
            }
        }
        return file;
    }

    @Test
    void vocabularyFollowsFromTheMergeList() {
        assertEquals(golden.path("vocab_size").asInt(), tokenizer.vocabularySize());
        assertEquals(49408, tokenizer.vocabularySize());
        assertEquals(golden.path("sot_id").asInt(), tokenizer.startOfTextId());
        assertEquals(golden.path("eot_id").asInt(), tokenizer.endOfTextId());
        assertEquals(ClipTokenizer.OPENAI_MERGE_COUNT, tokenizer.mergeCount());
        assertEquals(golden.path("context_length").asInt(), tokenizer.contextLength());
    }

    @Test
    void all41CasesGiveTheReferenceIds() {
        JsonNode cases = golden.path("cases");
        assertEquals(41, cases.size());
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            String text = c.path("text").asText();
            String where = "case " + i + " " + text;
            check(failures, where + " cleaned", c.path("cleaned").asText(), TextCleaner.clean(text));
            check(failures, where + " ids", ints(c.path("ids")), tokenizer.encode(text));
            check(failures, where + " decoded", c.path("decoded").asText(),
                    tokenizer.decode(tokenizer.encode(text)));
            if (c.path("tokenize").isNull()) {
                check(failures, where + " too long", true, c.path("too_long").asBoolean());
                IllegalArgumentException e =
                        assertThrows(IllegalArgumentException.class, () -> tokenizer.tokenize(text));
                check(failures, where + " message", true, e.getMessage().contains("too long"));
            } else {
                check(failures, where + " tokenize", longs(c.path("tokenize")),
                        tokenizer.tokenize(text).ids());
            }
            check(failures, where + " tokenize_truncate", longs(c.path("tokenize_truncate")),
                    tokenizer.withTruncationPolicy(TruncationPolicy.TRUNCATE).tokenize(text).ids());
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void truncatedBatchMatchesTokensTruncateNpy() throws IOException {
        int[] expected = readInt32Npy("tokens_truncate.npy", 41, 77);
        List<String> prompts = new ArrayList<>();
        golden.path("cases").forEach(c -> prompts.add(c.path("text").asText()));
        long[] batch =
                tokenizer.withTruncationPolicy(TruncationPolicy.TRUNCATE).tokenizeBatch(prompts);
        assertEquals(expected.length, batch.length);
        for (int i = 0; i < batch.length; i++) {
            assertEquals(expected[i], batch[i], "row " + i / 77 + " position " + i % 77);
        }
        int truncatedRows = 0;
        for (String p : prompts) {
            if (tokenizer.withTruncationPolicy(TruncationPolicy.TRUNCATE).tokenize(p).truncated()) {
                truncatedRows++;
            }
        }
        assertTrue(truncatedRows >= 1, "the goldens hold prompts longer than 77 ids");
    }

    @Test
    void vocabJsonFromTheDerivedTablesTokenizesTheSame(@TempDir Path dir) throws IOException {
        // vocab.json + merges.txt written from the .gz (Hugging Face's layout) give the same ids.
        List<String> lines =
                new String(
                                new java.util.zip.GZIPInputStream(Files.newInputStream(bpe))
                                        .readAllBytes(),
                                StandardCharsets.UTF_8)
                        .lines()
                        .skip(1)
                        .limit(ClipTokenizer.OPENAI_MERGE_COUNT)
                        .toList();
        Path merges = Files.writeString(dir.resolve("merges.txt"),
                "#version: 0.2\n" + String.join("\n", lines) + "\n");
        List<String> tokens = ClipTokenizer.clipLayout(Fixtures.tokenizerMerges(lines));
        java.util.Map<String, Integer> vocab = new java.util.LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        Path vocabJson = dir.resolve("vocab.json");
        new ObjectMapper().writeValue(vocabJson.toFile(), vocab);
        ClipTokenizer fromJson = ClipTokenizer.fromFiles(vocabJson, merges);
        for (JsonNode c : golden.path("cases")) {
            assertArrayEquals(ints(c.path("ids")), fromJson.encode(c.path("text").asText()));
        }
        // A merges.txt cut short must not load: its tokenization would silently differ.
        Path shortMerges = Files.writeString(dir.resolve("short.txt"),
                "#version: 0.2\n" + String.join("\n", lines.subList(0, 40000)) + "\n");
        IOException e = assertThrows(IOException.class,
                () -> ClipTokenizer.fromFiles(vocabJson, shortMerges));
        assertTrue(e.getMessage().startsWith(shortMerges + ": holds 40000 merges, but 8894 tokens"),
                e.getMessage());
        assertTrue(e.getMessage().contains("needs 48894 merges"), e.getMessage());
    }

    private static int[] readInt32Npy(String name, int rows, int cols) throws IOException {
        byte[] bytes;
        try (InputStream in = resource(name)) {
            bytes = in.readAllBytes();
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Short.toUnsignedInt(buffer.getShort(8));
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'descr': '<i4'"), header);
        assertTrue(header.contains("(" + rows + ", " + cols + ")"), header);
        int[] out = new int[rows * cols];
        buffer.position(10 + headerLength);
        buffer.asIntBuffer().get(out);
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static void check(List<String> failures, String what, Object expected, Object actual) {
        boolean same =
                expected instanceof int[] e && actual instanceof int[] a
                        ? java.util.Arrays.equals(e, a)
                        : expected instanceof long[] e2 && actual instanceof long[] a2
                                ? java.util.Arrays.equals(e2, a2)
                                : expected.equals(actual);
        if (!same) {
            failures.add(what + ": expected " + str(expected) + ", got " + str(actual));
        }
    }

    private static String str(Object o) {
        return o instanceof int[] a
                ? java.util.Arrays.toString(a)
                : o instanceof long[] b ? java.util.Arrays.toString(b) : String.valueOf(o);
    }
}
