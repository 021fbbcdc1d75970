package io.github.clip2latent.tokenizer;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

import io.github.clip2latent.tokenizer.Bpe.Merge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer, behaving as OpenAI CLIP's {@code SimpleTokenizer} followed by
 * {@code clip.tokenize}: a prompt becomes {@code [<|startoftext|>, tokens..., <|endoftext|>]},
 * zero-padded to the context length (77 by default).
 *
 * <p>The steps, as in {@code simple_tokenizer.py}: clean the text ({@code ftfy.fix_text} of ftfy
 * 6.1.1, ported in full: mojibake, curly quotes, ligatures, full-width forms, control characters,
 * NFC; then HTML unescape twice with Python's full HTML5 table; collapse whitespace runs into one
 * space and strip; lower-case); split it with CLIP's pattern {@code
 * <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+} (so
 * letters form words, every digit is its own piece, and punctuation runs are pieces); UTF-8 encode
 * each piece and map its bytes through GPT-2's byte-to-unicode table; merge with BPE (the last
 * symbol of a word carries {@code </w>}); look the resulting tokens up in the vocabulary.
 *
 * <p>The ids equal the reference's on all 41 reference prompts and ftfy's own test cases (see
 * {@code docs/tokenizer.md}). Remaining differences concern rare characters only: Unicode tables
 * (letter, digit, whitespace, case, NFC/NFKC) are the JDK's, possibly another Unicode version than
 * the Python used with CLIP; lengths inside ftfy are counted in UTF-16 units, not code points.
 *
 * <p>Like the reference, a literal {@code <|startoftext|>} or {@code <|endoftext|>} in a prompt
 * becomes that special token. An empty (or whitespace-only) prompt gives {@code [SOT, EOT]}; the
 * API above this class rejects empty prompts.
 *
 * <p>Instances are immutable and thread-safe; {@link #withContextLength} and {@link
 * #withTruncationPolicy} return new instances that share the loaded tables. A bounded, thread-safe
 * cache remembers the BPE result of recent words.
 */
public final class ClipTokenizer {

    /** The start token; its id is read from the vocabulary. */
    public static final String START_OF_TEXT = "<|startoftext|>";

    /** The end token; its id is read from the vocabulary. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    /** CLIP's context length: 75 tokens plus start and end. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;

    /**
     * How many merges OpenAI CLIP uses: {@code 49152 - 256 - 2}, lines 1..48894 of {@code
     * bpe_simple_vocab_16e6.txt.gz}, which holds many more. See {@link #fromBpeFile}.
     */
    public static final int OPENAI_MERGE_COUNT = 49152 - 256 - 2;

    private static final int CACHE_SIZE = 10_000;

    private static final Pattern SPLIT =
            Pattern.compile(
                    "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]"
                        + "|[^\\p{IsWhite_Space}\\p{L}\\p{N}]+",
                    Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    /** Loaded, immutable tables shared by every configuration of one tokenizer. */
    private record Tables(
            Map<String, Integer> vocab,
            Map<Integer, String> tokensById,
            Map<String, Integer> ranks,
            int mergeCount,
            int startId,
            int endId,
            Cache<String, int[]> cache) {}

    private final Tables tables;
    private final int contextLength;
    private final TruncationPolicy truncationPolicy;

    private ClipTokenizer(Tables tables, int contextLength, TruncationPolicy truncationPolicy) {
        this.tables = tables;
        this.contextLength = contextLength;
        this.truncationPolicy = truncationPolicy;
    }

    /**
     * Loads a tokenizer from {@code vocab.json} (token to id) and {@code merges.txt}, reading all
     * merges of the file. OpenAI's reference reads a fixed number, {@link #OPENAI_MERGE_COUNT}; a
     * HuggingFace CLIP {@code merges.txt} holds exactly that many, but CLIP's own {@code
     * bpe_simple_vocab_16e6.txt.gz} holds more: use {@link #fromFiles(Path, Path, int)} or {@link
     * #fromBpeFile} for it.
     *
     * @param vocabJson a JSON object of token string to id, with both special tokens
     * @param mergesTxt merge lines {@code "a b"}, after a {@code #version} header; may be gzipped
     * @return a tokenizer with context length 77 and {@link TruncationPolicy#ERROR}
     * @throws IOException if a file is missing, unreadable or malformed; the message names it
     */
    public static ClipTokenizer fromFiles(Path vocabJson, Path mergesTxt) throws IOException {
        return fromFiles(vocabJson, mergesTxt, Integer.MAX_VALUE);
    }

    /**
     * Like {@link #fromFiles(Path, Path)} but uses only the first {@code maxMerges} merges, as the
     * reference's {@code merges[1:49152-256-2+1]} does.
     *
     * @param vocabJson a JSON object of token string to id, with both special tokens
     * @param mergesTxt merge lines {@code "a b"}, after a {@code #version} header; may be gzipped
     * @param maxMerges how many merges to read at most; at least 0
     * @return a tokenizer with context length 77 and {@link TruncationPolicy#ERROR}
     * @throws IOException if a file is missing, unreadable or malformed; the message names it
     */
    public static ClipTokenizer fromFiles(Path vocabJson, Path mergesTxt, int maxMerges)
            throws IOException {
        requireNonNegative(maxMerges, "maxMerges");
        Map<String, Integer> vocab = TokenizerFiles.readVocabJson(vocabJson);
        List<Merge> merges = TokenizerFiles.readMerges(mergesTxt, maxMerges);
        return create(
                new TokenizerFiles.Tables(
                        vocab, merges, vocabJson.toString(), mergesTxt.toString()));
    }

    /**
     * Loads a tokenizer from a HuggingFace {@code tokenizer.json}: {@code model.vocab} and {@code
     * model.merges}, the latter as {@code "a b"} strings or {@code ["a", "b"]} pairs. Only the
     * tables are used; the text is cleaned and split as CLIP's reference does, whatever normalizer
     * and pre-tokenizer the file declares.
     *
     * @param tokenizerJson the HuggingFace tokenizer file
     * @return a tokenizer with context length 77 and {@link TruncationPolicy#ERROR}
     * @throws IOException if the file is missing, unreadable or malformed; the message names it
     */
    public static ClipTokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        return create(TokenizerFiles.readTokenizerJson(tokenizerJson, Integer.MAX_VALUE));
    }

    /**
     * Builds OpenAI CLIP's tokenizer from its own {@code bpe_simple_vocab_16e6.txt.gz}, as {@code
     * SimpleTokenizer()} does by default: {@link #fromBpeFile(Path, int)} with {@link
     * #OPENAI_MERGE_COUNT}.
     *
     * @param bpeFile OpenAI's gzip-compressed merge list
     * @return a tokenizer with context length 77 and {@link TruncationPolicy#ERROR}
     * @throws IOException if the file is missing, not gzip, corrupt, malformed or too short; the
     *     message names it and the problem
     */
    public static ClipTokenizer fromBpeFile(Path bpeFile) throws IOException {
        return fromBpeFile(bpeFile, OPENAI_MERGE_COUNT);
    }

    /**
     * Builds the tokenizer exactly as {@code SimpleTokenizer.__init__} does, from the merges file
     * alone: the first line is a header; lines 1..mergeCount are the merges; the vocabulary is the
     * 256 byte symbols, the same with {@code </w>}, one token per merge, then {@code
     * <|startoftext|>} and {@code <|endoftext|>}. For OpenAI CLIP pass {@code
     * bpe_simple_vocab_16e6.txt.gz} and {@link #OPENAI_MERGE_COUNT} (or use {@link
     * #fromBpeFile(Path)}).
     *
     * @param bpeFile gzip-compressed merge lines after a header line, as OpenAI ships them
     * @param mergeCount how many merges to use, at least 1; the file must hold at least that many,
     *     since the special tokens' ids depend on it
     * @return a tokenizer with context length 77 and {@link TruncationPolicy#ERROR}
     * @throws IOException if the file is missing, not gzip, corrupt, malformed or too short; the
     *     message names it and the problem
     */
    public static ClipTokenizer fromBpeFile(Path bpeFile, int mergeCount) throws IOException {
        if (mergeCount < 1) {
            throw new IllegalArgumentException("mergeCount must be at least 1, got " + mergeCount);
        }
        List<Merge> merges = TokenizerFiles.readOpenAiBpe(bpeFile, mergeCount);
        Map<String, Integer> vocab = new HashMap<>();
        List<String> tokens = clipLayout(merges);
        for (int id = 0; id < tokens.size(); id++) {
            // dict(zip(vocab, range(...))): a repeated token keeps its last id, as in Python.
            vocab.put(tokens.get(id), id);
        }
        return create(
                new TokenizerFiles.Tables(
                        vocab, merges, bpeFile + " (derived vocabulary)", bpeFile.toString()));
    }

    /** CLIP's vocabulary order: bytes, bytes with {@code </w>}, merge results, special tokens. */
    static List<String> clipLayout(List<Merge> merges) {
        List<String> tokens = new ArrayList<>(512 + merges.size() + 2);
        for (int i = 0; i < 256; i++) {
            tokens.add(String.valueOf(ByteUnicode.inVocabOrder(i)));
        }
        for (int i = 0; i < 256; i++) {
            tokens.add(ByteUnicode.inVocabOrder(i) + Bpe.END_OF_WORD);
        }
        for (Merge m : merges) {
            tokens.add(m.result());
        }
        tokens.add(START_OF_TEXT);
        tokens.add(END_OF_TEXT);
        return tokens;
    }

    /**
     * Checks the tables and builds the tokenizer. Requiring every byte symbol (bare and with {@code
     * </w>}) and every merge result in the vocabulary guarantees that tokenizing never meets an
     * unknown token, whatever the text.
     */
    static ClipTokenizer create(TokenizerFiles.Tables t) throws IOException {
        Map<String, Integer> vocab = Map.copyOf(t.vocab());
        Integer start = vocab.get(START_OF_TEXT);
        Integer end = vocab.get(END_OF_TEXT);
        if (start == null || end == null) {
            throw new IOException(
                    t.vocabSource()
                            + ": vocabulary lacks the special token "
                            + (start == null ? START_OF_TEXT : END_OF_TEXT));
        }
        for (int i = 0; i < 256; i++) {
            String symbol = String.valueOf(ByteUnicode.inVocabOrder(i));
            for (String token : new String[] {symbol, symbol + Bpe.END_OF_WORD}) {
                if (!vocab.containsKey(token)) {
                    throw new IOException(
                            t.vocabSource()
                                    + ": vocabulary lacks the byte symbol \""
                                    + token
                                    + "\" (CLIP vocabularies hold all 256 byte symbols, bare and"
                                    + " with </w>)");
                }
            }
        }
        Map<String, Integer> ranks = new HashMap<>(t.merges().size() * 2);
        for (int rank = 0; rank < t.merges().size(); rank++) {
            Merge m = t.merges().get(rank);
            if (!vocab.containsKey(m.result())) {
                throw new IOException(
                        t.mergesSource()
                                + ": merge #"
                                + (rank + 1)
                                + " \""
                                + m.first()
                                + " "
                                + m.second()
                                + "\" makes \""
                                + m.result()
                                + "\", which "
                                + t.vocabSource()
                                + " lacks; too many merges for this vocabulary? (OpenAI CLIP uses"
                                + " the first "
                                + OPENAI_MERGE_COUNT
                                + ")");
            }
            // dict(zip(merges, range(...))): a repeated merge keeps its last rank, as in Python.
            ranks.put(m.key(), rank);
        }
        requireEveryTokenMade(t, vocab);
        Map<Integer, String> byId = new HashMap<>(vocab.size() * 2);
        vocab.forEach((token, id) -> byId.put(id, token));
        Cache<String, int[]> cache = CacheBuilder.newBuilder().maximumSize(CACHE_SIZE).build();
        Tables tables =
                new Tables(
                        vocab,
                        Map.copyOf(byId),
                        Map.copyOf(ranks),
                        t.merges().size(),
                        start,
                        end,
                        cache);
        return new ClipTokenizer(tables, DEFAULT_CONTEXT_LENGTH, TruncationPolicy.ERROR);
    }

    /**
     * Checks that each token of the vocabulary, other than the byte symbols and special tokens, is
     * made by some merge: a merges file cut short would otherwise silently tokenize differently
     * (words that need the missing merges split into more pieces).
     */
    private static void requireEveryTokenMade(TokenizerFiles.Tables t, Map<String, Integer> vocab)
            throws IOException {
        java.util.Set<String> made = new java.util.HashSet<>(t.merges().size() * 2);
        for (Merge m : t.merges()) {
            made.add(m.result());
        }
        java.util.Set<String> base = new java.util.HashSet<>(List.of(START_OF_TEXT, END_OF_TEXT));
        for (int i = 0; i < 256; i++) {
            String symbol = String.valueOf(ByteUnicode.inVocabOrder(i));
            base.add(symbol);
            base.add(symbol + Bpe.END_OF_WORD);
        }
        int unmade = 0;
        String example = null;
        int exampleId = Integer.MAX_VALUE;
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            if (!base.contains(e.getKey()) && !made.contains(e.getKey())) {
                unmade++;
                if (e.getValue() < exampleId) {
                    exampleId = e.getValue();
                    example = e.getKey();
                }
            }
        }
        if (unmade > 0) {
            throw new IOException(
                    t.mergesSource()
                            + ": holds "
                            + t.merges().size()
                            + " merges, but "
                            + unmade
                            + " tokens of "
                            + t.vocabSource()
                            + " are made by none of them (the first: \""
                            + example
                            + "\", id "
                            + exampleId
                            + "); is the merges file truncated? A CLIP vocabulary of "
                            + vocab.size()
                            + " tokens needs "
                            + (vocab.size() - 514)
                            + " merges");
        }
    }

    /**
     * Returns a tokenizer that makes rows of {@code contextLength} ids, sharing this one's tables.
     *
     * @param contextLength at least 2 (start and end tokens)
     * @return the reconfigured tokenizer
     */
    public ClipTokenizer withContextLength(int contextLength) {
        if (contextLength < 2) {
            throw new IllegalArgumentException(
                    "contextLength must be at least 2 (start and end tokens), got "
                            + contextLength);
        }
        return new ClipTokenizer(tables, contextLength, truncationPolicy);
    }

    /**
     * Returns a tokenizer that treats too-long prompts by {@code policy}, sharing this one's
     * tables.
     *
     * @param policy what to do with prompts longer than the context length
     * @return the reconfigured tokenizer
     */
    public ClipTokenizer withTruncationPolicy(TruncationPolicy policy) {
        return new ClipTokenizer(tables, contextLength, Objects.requireNonNull(policy, "policy"));
    }

    /**
     * Tokenizes one prompt into a row of {@link #contextLength()} ids, as {@code clip.tokenize}.
     *
     * @param prompt any text; an empty one gives {@code [SOT, EOT]}
     * @return the id row with its length and end-token position
     * @throws IllegalArgumentException if the prompt needs more than {@code contextLength} ids and
     *     the policy is {@link TruncationPolicy#ERROR}
     */
    public TokenizedText tokenize(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        int[] tokens = encode(prompt);
        int needed = tokens.length + 2;
        boolean truncated = needed > contextLength;
        if (truncated && truncationPolicy == TruncationPolicy.ERROR) {
            throw new IllegalArgumentException(
                    String.format(
                            "prompt is too long: %d tokens with start and end tokens, but the"
                                + " context length is %d (set TruncationPolicy.TRUNCATE, e.g. with"
                                + " SampleRequest.Builder.promptTruncation, to keep the first %d);"
                                + " the prompt starts with \"%s\"",
                            needed, contextLength, contextLength - 2, startOf(prompt)));
        }
        int kept = Math.min(tokens.length, contextLength - 2);
        long[] ids = new long[contextLength];
        ids[0] = tables.startId();
        for (int i = 0; i < kept; i++) {
            ids[i + 1] = tokens[i];
        }
        ids[kept + 1] = tables.endId();
        return new TokenizedText(ids, kept + 2, kept + 1, truncated);
    }

    /**
     * Tokenizes several prompts into one row-major {@code [prompts.size(), contextLength]} array,
     * the layout of a text encoder's batched input.
     *
     * @param prompts the prompts, one row each
     * @return {@code prompts.size() * contextLength()} ids
     * @throws IllegalArgumentException as {@link #tokenize}, naming the prompt's index
     */
    public long[] tokenizeBatch(List<String> prompts) {
        long[] batch = new long[Math.multiplyExact(prompts.size(), contextLength)];
        for (int i = 0; i < prompts.size(); i++) {
            TokenizedText row;
            try {
                row = tokenize(prompts.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("prompt " + i + ": " + e.getMessage(), e);
            }
            for (int j = 0; j < row.length(); j++) {
                batch[i * contextLength + j] = row.id(j);
            }
        }
        return batch;
    }

    /**
     * Returns the BPE token ids of {@code text} without start, end or padding, as {@code
     * SimpleTokenizer.encode}; its length is the prompt's token count.
     *
     * @param text any text
     * @return the token ids, never truncated
     */
    public int[] encode(String text) {
        List<int[]> pieces = new ArrayList<>();
        int total = 0;
        for (String piece : split(text)) {
            int[] ids = encodePiece(piece);
            pieces.add(ids);
            total += ids.length;
        }
        int[] out = new int[total];
        int at = 0;
        for (int[] ids : pieces) {
            System.arraycopy(ids, 0, out, at, ids.length);
            at += ids.length;
        }
        return out;
    }

    /** Cleans {@code text} and splits it into the pieces BPE works on, before byte encoding. */
    static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = SPLIT.matcher(TextCleaner.clean(text));
        while (m.find()) {
            pieces.add(m.group());
        }
        return pieces;
    }

    private int[] encodePiece(String piece) {
        // The reference's cache is seeded with the special tokens, so they bypass BPE.
        if (piece.equals(START_OF_TEXT)) {
            return new int[] {tables.startId()};
        }
        if (piece.equals(END_OF_TEXT)) {
            return new int[] {tables.endId()};
        }
        int[] cached = tables.cache().getIfPresent(piece);
        if (cached != null) {
            return cached;
        }
        List<String> tokens = Bpe.apply(ByteUnicode.encodeUtf8(piece), tables.ranks());
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            // Never null: create() checked that every byte symbol and merge result is in the vocab.
            ids[i] = tables.vocab().get(tokens.get(i));
        }
        tables.cache().put(piece, ids);
        return ids;
    }

    /**
     * Turns ids back into text as {@code SimpleTokenizer.decode}: tokens joined, bytes decoded as
     * UTF-8 (invalid sequences become U+FFFD), {@code </w>} read as a space. Start and end tokens
     * appear literally; strip padding zeros first, since id 0 is a real token ({@code !}).
     *
     * @param ids token ids of this vocabulary
     * @return the text, with a space after each word
     * @throws IllegalArgumentException if an id is not in the vocabulary
     */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            String token = tables.tokensById().get(id);
            if (token == null) {
                throw new IllegalArgumentException("id " + id + " is not in the vocabulary");
            }
            for (int i = 0; i < token.length(); i++) {
                int b = ByteUnicode.decode(token.charAt(i));
                if (b < 0) {
                    // Only tokens of a foreign vocabulary hold characters outside the byte table.
                    bytes.writeBytes(
                            String.valueOf(token.charAt(i)).getBytes(StandardCharsets.UTF_8));
                } else {
                    bytes.write(b);
                }
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(Bpe.END_OF_WORD, " ");
    }

    /** {@return the number of ids per row} */
    public int contextLength() {
        return contextLength;
    }

    /** {@return what happens to prompts longer than the context length} */
    public TruncationPolicy truncationPolicy() {
        return truncationPolicy;
    }

    /** {@return the id of {@code <|startoftext|>}, first in every row} */
    public int startOfTextId() {
        return tables.startId();
    }

    /**
     * {@return the id of {@code <|endoftext|>}, at {@link TokenizedText#eotIndex()} of every row}
     */
    public int endOfTextId() {
        return tables.endId();
    }

    /** {@return the number of tokens in the vocabulary, special tokens included} */
    public int vocabularySize() {
        return tables.vocab().size();
    }

    /** {@return the largest token id of the vocabulary: the text encoder's table needs that row} */
    public int maxTokenId() {
        return java.util.Collections.max(tables.vocab().values());
    }

    /** {@return the number of merges in use} */
    public int mergeCount() {
        return tables.mergeCount();
    }

    private static String startOf(String prompt) {
        int limit = 40;
        if (prompt.codePointCount(0, prompt.length()) <= limit) {
            return prompt;
        }
        return prompt.substring(0, prompt.offsetByCodePoints(0, limit)) + "...";
    }

    private static void requireNonNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be at least 0, got " + value);
        }
    }
}
