/**
 * CLIP's byte-level BPE tokenizer in plain Java: turns prompts into the fixed-length id rows that
 * CLIP text encoders take, exactly as OpenAI CLIP's {@code simple_tokenizer.py} does, and writes
 * CLIP-format vocabularies for small custom models.
 *
 * <p>Entry points: {@link io.github.clip2latent.tokenizer.ClipTokenizer} (load and tokenize) and
 * {@link io.github.clip2latent.tokenizer.ClipVocabularyWriter} (build {@code vocab.json} and {@code
 * merges.txt} from a word list).
 */
package io.github.clip2latent.tokenizer;
