package io.github.clip2latent.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.github.clip2latent.tokenizer.Bpe.Merge;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/** Reads CLIP's tokenizer files; every error names the file and keeps its cause. */
final class TokenizerFiles {

    // Duplicate keys would silently drop a token: make them an error.
    private static final JsonMapper JSON =
            JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private TokenizerFiles() {}

    /** The two tables a tokenizer is made of, with where they came from, for messages. */
    record Tables(
            Map<String, Integer> vocab,
            List<Merge> merges,
            String vocabSource,
            String mergesSource) {}

    /** Reads {@code vocab.json}: one JSON object of token string to non-negative int id. */
    static Map<String, Integer> readVocabJson(Path file) throws IOException {
        JsonNode root = readJson(file, "CLIP vocabulary (vocab.json)");
        if (!root.isObject()) {
            throw new IOException(
                    file + ": expected a JSON object of token to id, found " + root.getNodeType());
        }
        return vocabFromNode(root, file.toString());
    }

    /**
     * Reads {@code merges.txt}, plain or gzip-compressed (detected from its first bytes, as CLIP
     * ships {@code bpe_simple_vocab_16e6.txt.gz}). A first line starting with {@code #} is the
     * {@code #version} header and is skipped; blank lines are skipped; reading stops after {@code
     * maxMerges} merges.
     */
    static List<Merge> readMerges(Path file, int maxMerges) throws IOException {
        requireFile(file, "BPE merges file");
        List<Merge> merges = new ArrayList<>();
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(openMaybeGzip(file), StandardCharsets.UTF_8))) {
            int lineNumber = 0;
            while (merges.size() < maxMerges) {
                String line = readLine(reader, file);
                if (line == null) {
                    break;
                }
                lineNumber++;
                String trimmed = line.strip();
                // Header: "#version: 0.2" (Hugging Face) or OpenAI's "\"bpe_simple_vocab_16e6.txt#version: 0.2".
                boolean header =
                        lineNumber == 1 && (trimmed.startsWith("#") || trimmed.contains("#version"));
                if (trimmed.isEmpty() || header) {
                    continue;
                }
                merges.add(parseMerge(trimmed, file + " line " + lineNumber));
            }
        }
        return merges;
    }

    /**
     * Reads OpenAI's {@code bpe_simple_vocab_16e6.txt.gz} as {@code SimpleTokenizer.__init__} does:
     * {@code gzip.open(path).read().decode("utf-8").split('\n')[1:mergeCount + 1]}, each line split
     * on whitespace. The first line is a header whatever it holds; the file must be gzip data and
     * strict UTF-8, and must hold at least {@code mergeCount} merges, since the ids of the special
     * tokens depend on that count.
     */
    static List<Merge> readOpenAiBpe(Path file, int mergeCount) throws IOException {
        requireFile(file, "CLIP BPE vocabulary (bpe_simple_vocab_16e6.txt.gz)");
        byte[] magic = new byte[2];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(magic, 0, 2);
            if (n < 2 || (magic[0] & 0xFF) != 0x1f || (magic[1] & 0xFF) != 0x8b) {
                throw new IOException(
                        file
                                + ": not gzip data (starts with "
                                + (n == 0 ? "nothing: the file is empty" : hex(magic, n))
                                + "); OpenAI's bpe_simple_vocab_16e6.txt.gz is gzip-compressed"
                                + " and CLIP reads it with gzip.open");
            }
        }
        String text;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(in.readAllBytes()))
                            .toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": the unpacked text is not valid UTF-8", e);
        } catch (IOException e) {
            // ZipException, EOFException: a damaged or cut-off download.
            throw new IOException(
                    file + ": corrupt or truncated gzip data: " + e.getMessage(), e);
        }
        String[] lines = text.split("\n", -1);
        // A final newline leaves an empty last element, not a merge.
        int available = lines.length - 1 - (lines[lines.length - 1].isEmpty() ? 1 : 0);
        if (available < mergeCount) {
            throw new IOException(
                    file
                            + ": holds "
                            + available
                            + " merges after its header line, expected at least "
                            + mergeCount
                            + " (OpenAI CLIP uses lines 1.."
                            + ClipTokenizer.OPENAI_MERGE_COUNT
                            + " of its 262,145); is the file truncated?");
        }
        List<Merge> merges = new ArrayList<>(mergeCount);
        for (int i = 1; i <= mergeCount; i++) {
            // Line numbers as an editor shows them: the header is line 1.
            merges.add(parseMerge(lines[i].strip(), file + " line " + (i + 1)));
        }
        return merges;
    }

    private static String hex(byte[] bytes, int n) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : " ").append(String.format("0x%02x", bytes[i] & 0xFF));
        }
        return out.toString();
    }

    private static String readLine(BufferedReader reader, Path file) throws IOException {
        try {
            return reader.readLine();
        } catch (IOException e) {
            // Corrupt gzip data or bad UTF-8 would otherwise surface without the file's name.
            throw new IOException(file + ": cannot read BPE merges: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a HuggingFace {@code tokenizer.json}: {@code model.vocab} and {@code model.merges}
     * (strings {@code "a b"} or pairs {@code ["a", "b"]}); special tokens missing from {@code
     * model.vocab} are taken from {@code added_tokens}.
     */
    static Tables readTokenizerJson(Path file, int maxMerges) throws IOException {
        JsonNode root = readJson(file, "HuggingFace tokenizer.json");
        JsonNode model = root.path("model");
        if (!model.isObject()) {
            throw new IOException(
                    file + ": no \"model\" object; is this a HuggingFace tokenizer.json?");
        }
        JsonNode type = model.path("type");
        if (!type.isMissingNode() && !type.isNull() && !"BPE".equals(type.asText())) {
            throw new IOException(
                    file + ": model.type is \"" + type.asText() + "\", CLIP needs \"BPE\"");
        }
        JsonNode suffix = model.path("end_of_word_suffix");
        if (!suffix.isMissingNode()
                && !suffix.isNull()
                && !Bpe.END_OF_WORD.equals(suffix.asText())) {
            throw new IOException(
                    file
                            + ": model.end_of_word_suffix is \""
                            + suffix.asText()
                            + "\", CLIP's BPE needs \""
                            + Bpe.END_OF_WORD
                            + "\"");
        }
        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject()) {
            throw new IOException(
                    file + ": model.vocab is missing or not an object of token to id");
        }
        Map<String, Integer> vocab = vocabFromNode(vocabNode, file + " model.vocab");
        for (JsonNode added : root.path("added_tokens")) {
            String content = added.path("content").asText(null);
            JsonNode id = added.path("id");
            if (content != null
                    && id.canConvertToInt()
                    && id.isIntegralNumber()
                    && (ClipTokenizer.START_OF_TEXT.equals(content)
                            || ClipTokenizer.END_OF_TEXT.equals(content))) {
                vocab.putIfAbsent(content, id.intValue());
            }
        }
        JsonNode mergesNode = model.path("merges");
        if (!mergesNode.isArray()) {
            throw new IOException(file + ": model.merges is missing or not an array");
        }
        List<Merge> merges = new ArrayList<>();
        for (int i = 0; i < mergesNode.size() && merges.size() < maxMerges; i++) {
            JsonNode m = mergesNode.get(i);
            String where = file + " model.merges[" + i + "]";
            if (m.isTextual()) {
                merges.add(parseMerge(m.asText().strip(), where));
            } else if (m.isArray()
                    && m.size() == 2
                    && m.get(0).isTextual()
                    && m.get(1).isTextual()) {
                merges.add(new Merge(m.get(0).asText(), m.get(1).asText()));
            } else {
                throw new IOException(where + ": expected \"a b\" or [\"a\", \"b\"], found " + m);
            }
        }
        return new Tables(vocab, merges, file + " model.vocab", file + " model.merges");
    }

    private static Merge parseMerge(String text, String where) throws IOException {
        String[] parts = WHITESPACE.split(text);
        if (parts.length != 2 || parts[0].isEmpty()) {
            throw new IOException(
                    where
                            + ": a merge needs exactly two symbols separated by a space, found \""
                            + text
                            + "\"");
        }
        return new Merge(parts[0], parts[1]);
    }

    private static Map<String, Integer> vocabFromNode(JsonNode node, String where)
            throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>(node.size() * 2);
        Map<Integer, String> byId = new LinkedHashMap<>(node.size() * 2);
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            JsonNode value = e.getValue();
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
                throw new IOException(
                        where
                                + ": token \""
                                + e.getKey()
                                + "\" has id "
                                + value
                                + "; ids must be non-negative integers");
            }
            String clash = byId.putIfAbsent(value.intValue(), e.getKey());
            if (clash != null) {
                throw new IOException(
                        where
                                + ": tokens \""
                                + clash
                                + "\" and \""
                                + e.getKey()
                                + "\" share id "
                                + value.intValue());
            }
            vocab.put(e.getKey(), value.intValue());
        }
        return vocab;
    }

    private static JsonNode readJson(Path file, String what) throws IOException {
        requireFile(file, what);
        try (InputStream in = Files.newInputStream(file)) {
            JsonNode root = JSON.readTree(in);
            if (root == null || root.isMissingNode()) {
                throw new IOException(file + ": " + what + " is empty");
            }
            return root;
        } catch (JacksonException e) {
            throw new IOException(
                    file + ": malformed JSON in " + what + ": " + e.getOriginalMessage(), e);
        }
    }

    private static void requireFile(Path file, String what) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, what + " not found");
        }
    }

    private static InputStream openMaybeGzip(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file));
        try {
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            // 0x1f 0x8b is gzip's magic number; merges text never starts with these bytes.
            return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in) : in;
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }
}
