package io.github.clip2latent;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.latent.EditDirection;
import io.github.clip2latent.latent.LayerRange;
import io.github.clip2latent.tokenizer.ClipTokenizer;
import io.github.clip2latent.tokenizer.TruncationPolicy;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What to draw: the condition (prompts, an image or an embedding), the sampling settings and the
 * latent edits. Immutable and always valid: the canonical constructor checks every field (the
 * builder's setters check the same rules earlier, one value at a time). Build one with {@link
 * #builder()} or, bound to a model, with {@link Clip2Latent#prompt(String)} and friends; change one
 * with {@link #toBuilder()}.
 *
 * @param prompts the text prompts (one or more), or empty when another condition is used
 * @param image an image whose CLIP embedding is the condition (image variations), or null
 * @param embedding a raw CLIP embedding used as the condition, or null
 * @param negativePrompt a prompt to guide away from, or null
 * @param guidance classifier-free guidance scale, >= 0 (1 = conditional only)
 * @param truncation truncation psi in [0, 1] towards the training mean of w (1 = none)
 * @param steps the consistent respacing's step count, or 0 when {@code skip} is used
 * @param skip the reference's respacing skip (with its noise quirk), or 0 when {@code steps} is
 *     used
 * @param sampler DDPM or DDIM
 * @param samples images per condition
 * @param candidates candidates per image, the best by CLIP score kept
 * @param seed the seed of every random draw of the call
 * @param styleMix style mixing, or null
 * @param edits latent edits, applied in order
 * @param promptTruncation what to do with a prompt longer than the tokenizer's context: fail
 *     (default) or keep its start
 * @param chunkRows rows (images x candidates) sampled together: memory is bounded by the chunk, not
 *     the request. A seed reproduces the same bits with the same chunk size; requests of at most
 *     one chunk match earlier versions.
 * @param noise the StyleGAN2 synthesis noise (default {@link SynthesisNoise#RANDOM}, the reference's);
 *     ignored by generators without noise inputs
 * @param rerank how the candidates are rendered for re-ranking (default {@link RerankMode#FULL})
 */
public record SampleRequest(
        List<String> prompts,
        BufferedImage image,
        float[] embedding,
        String negativePrompt,
        float guidance,
        float truncation,
        int steps,
        int skip,
        SamplerKind sampler,
        int samples,
        int candidates,
        long seed,
        StyleMix styleMix,
        List<LatentEdit> edits,
        TruncationPolicy promptTruncation,
        int chunkRows,
        SynthesisNoise noise,
        RerankMode rerank) {

    /** The reference demo's respacing: skip 250, i.e. the four steps 750, 500, 250, 0. */
    public static final int DEFAULT_SKIP = 250;

    /** The reference demo's guidance scale. */
    public static final float DEFAULT_GUIDANCE = 2f;

    /**
     * Rows sampled together by default: the paper's 16 candidates of one image, about 200 MB of
     * pixels at 1024 x 1024.
     */
    public static final int DEFAULT_CHUNK_ROWS = 16;

    /** Validates and copies; each message names the field and the value found. */
    public SampleRequest {
        checkNotNull(prompts, "prompts");
        for (int i = 0; i < prompts.size(); i++) {
            checkPrompt(prompts.get(i), "prompt " + i);
        }
        prompts = List.copyOf(prompts);
        int conditions =
                (prompts.isEmpty() ? 0 : 1) + (image != null ? 1 : 0) + (embedding != null ? 1 : 0);
        checkArgument(
                conditions == 1,
                "a request needs exactly one condition (prompt(s), image or embedding), got %s",
                conditions);
        if (embedding != null) {
            checkEmbedding(embedding);
            embedding = embedding.clone();
        }
        image = image == null ? null : copy(image);
        if (negativePrompt != null) {
            checkPrompt(negativePrompt, "negative prompt");
        }
        checkGuidance(guidance);
        checkTruncation(truncation);
        checkArgument(
                steps >= 0 && skip >= 0, "steps and skip must be >= 0, got %s and %s", steps, skip);
        checkArgument(
                steps == 0 ^ skip == 0,
                "set either steps or skip, got steps=%s skip=%s",
                steps,
                skip);
        checkNotNull(sampler, "sampler");
        checkArgument(samples >= 1, "samples must be >= 1, got %s", samples);
        checkArgument(candidates >= 1, "candidates must be >= 1, got %s", candidates);
        checkNotNull(edits, "edits");
        for (LatentEdit edit : edits) {
            checkNotNull(edit, "edit");
            checkStrength(edit.strength());
        }
        edits = List.copyOf(edits);
        checkNotNull(promptTruncation, "promptTruncation");
        checkArgument(chunkRows >= 1, "chunkRows must be >= 1, got %s", chunkRows);
        checkNotNull(noise, "noise");
        checkNotNull(rerank, "rerank");
        // Exact: conditions x samples x candidates must count in a long (it always does for ints,
        // but the product of three ints does not fit an int: 65536 x 65536 wrapped to 0).
        Math.multiplyExact(Math.multiplyExact((long) conditionCount(prompts), samples), candidates);
    }

    private static int conditionCount(List<String> prompts) {
        return prompts.isEmpty() ? 1 : prompts.size();
    }

    /**
     * A deep copy that keeps the stored samples and color model: drawing into an RGB image would
     * composite alpha onto black and pass grey through a linear-grey conversion, changing the
     * pixels CLIP's preprocessing sees.
     */
    private static BufferedImage copy(BufferedImage source) {
        return new BufferedImage(
                source.getColorModel(), source.copyData(null), source.isAlphaPremultiplied(), null);
    }

    /** A new unbound builder; end it with {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder(null);
    }

    /** An unbound builder holding every field of this request, seed included. */
    public Builder toBuilder() {
        return toBuilder(null);
    }

    /** A builder bound to {@code model} holding every field of this request. */
    Builder toBuilder(Clip2Latent model) {
        Builder b = new Builder(model);
        if (!prompts.isEmpty()) {
            b.prompts(prompts);
        } else if (image != null) {
            b.image(image);
        } else {
            b.embedding(embedding);
        }
        b.negativePrompt = negativePrompt;
        b.guidance = guidance;
        b.truncation = truncation;
        b.steps = steps;
        b.skip = skip;
        b.sampler = sampler;
        b.samples = samples;
        b.candidates = candidates;
        b.seed = seed;
        b.styleMix = styleMix;
        b.edits.addAll(edits);
        b.promptTruncation = promptTruncation;
        b.chunkRows = chunkRows;
        b.noise = noise;
        b.rerank = rerank;
        return b;
    }

    @Override
    public float[] embedding() {
        return embedding == null ? null : embedding.clone();
    }

    @Override
    public BufferedImage image() {
        return image == null ? null : copy(image);
    }

    /** Number of conditions: prompts, or 1 for an image or embedding. */
    public int conditionCount() {
        return conditionCount(prompts);
    }

    /** Images the request returns: conditions x samples, computed exactly. */
    public long outputCount() {
        return Math.multiplyExact((long) conditionCount(), samples);
    }

    /** Rows the prior and generator run: conditions x samples x candidates, computed exactly. */
    public long rowCount() {
        return Math.multiplyExact(outputCount(), candidates);
    }

    /** One line describing the request, as written into PNG metadata. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (!prompts.isEmpty()) {
            sb.append("prompts=").append(prompts);
        } else if (image != null) {
            sb.append("image=").append(image.getWidth()).append('x').append(image.getHeight());
        } else {
            sb.append("embedding=").append(embedding.length).append(" values");
        }
        if (negativePrompt != null) {
            sb.append(", negativePrompt=\"").append(negativePrompt).append('"');
        }
        sb.append(String.format(Locale.ROOT, ", guidance=%s, truncate=%s, ", guidance, truncation));
        sb.append(steps > 0 ? "steps=" + steps : "skip=" + skip);
        sb.append(", sampler=")
                .append(sampler)
                .append(", samples=")
                .append(samples)
                .append(", candidates=")
                .append(candidates)
                .append(", seed=")
                .append(seed);
        if (styleMix != null) {
            sb.append(", styleMix=[")
                    .append(styleMix.layers().start())
                    .append(", ")
                    .append(styleMix.layers().end())
                    .append(") seed ")
                    .append(styleMix.seed());
        }
        for (LatentEdit edit : edits) {
            sb.append(", edit=").append(edit.direction()).append(" x ").append(edit.strength());
        }
        if (promptTruncation != TruncationPolicy.ERROR) {
            sb.append(", promptTruncation=").append(promptTruncation);
        }
        if (rowCount() > chunkRows) {
            // The chunk size decides the order of the random draws, so it is part of the recipe.
            sb.append(", chunkRows=").append(chunkRows);
        }
        if (noise != SynthesisNoise.RANDOM) {
            sb.append(", noise=").append(noise.name().toLowerCase(Locale.ROOT));
        }
        if (rerank != RerankMode.FULL) {
            sb.append(", rerank=").append(rerank.name().toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SampleRequest r
                && prompts.equals(r.prompts)
                && sameImage(image, r.image)
                && Arrays.equals(embedding, r.embedding)
                && Objects.equals(negativePrompt, r.negativePrompt)
                && Float.compare(guidance, r.guidance) == 0
                && Float.compare(truncation, r.truncation) == 0
                && steps == r.steps
                && skip == r.skip
                && sampler == r.sampler
                && samples == r.samples
                && candidates == r.candidates
                && seed == r.seed
                && Objects.equals(styleMix, r.styleMix)
                && edits.equals(r.edits)
                && promptTruncation == r.promptTruncation
                && chunkRows == r.chunkRows
                && noise == r.noise
                && rerank == r.rerank;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                prompts,
                image == null ? 0 : Arrays.hashCode(pixels(image)),
                Arrays.hashCode(embedding),
                negativePrompt,
                guidance,
                truncation,
                steps,
                skip,
                sampler,
                samples,
                candidates,
                seed,
                styleMix,
                edits,
                promptTruncation,
                chunkRows,
                noise,
                rerank);
    }

    /** Images are compared by size and RGB pixels (both are the constructor's INT_RGB copies). */
    private static boolean sameImage(BufferedImage a, BufferedImage b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.getWidth() == b.getWidth()
                && a.getHeight() == b.getHeight()
                && Arrays.equals(pixels(a), pixels(b));
    }

    private static int[] pixels(BufferedImage rgb) {
        return ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
    }

    @Override
    public String toString() {
        return "SampleRequest[" + describe() + "]";
    }

    static String checkPrompt(String value, String what) {
        checkArgument(
                value != null && !value.isBlank(),
                "%s must not be empty, got %s",
                what,
                value == null ? "null" : "\"" + value + "\"");
        return value;
    }

    static void checkEmbedding(float[] value) {
        checkArgument(value != null && value.length > 0, "embedding must not be empty");
        for (int i = 0; i < value.length; i++) {
            checkArgument(
                    Float.isFinite(value[i]),
                    "embedding[%s] is not finite: %s",
                    i,
                    (Object) value[i]);
        }
    }

    static void checkGuidance(double value) {
        checkArgument(
                Double.isFinite(value) && value >= 0,
                "guidance must be a finite value >= 0, got %s",
                value);
    }

    static void checkTruncation(double psi) {
        checkArgument(psi >= 0 && psi <= 1, "truncate psi must be in [0, 1], got %s", psi);
    }

    static void checkStrength(double strength) {
        checkArgument(Double.isFinite(strength), "edit strength must be finite, got %s", strength);
    }

    /**
     * Builds a request; each setter checks its value and says which value was wrong. Bound to a
     * model (from {@link Clip2Latent#prompt(String)} etc.) it ends in {@link #sample()}.
     */
    public static final class Builder {
        private final Clip2Latent model;
        private final List<String> prompts = new ArrayList<>();
        private BufferedImage image;
        private float[] embedding;
        private String negativePrompt;
        private float guidance = DEFAULT_GUIDANCE;
        private float truncation = 1f;
        private int steps;
        private int skip = DEFAULT_SKIP;
        private SamplerKind sampler = SamplerKind.DDPM;
        private int samples = 1;
        private int candidates = 1;
        private Long seed;
        private StyleMix styleMix;
        private final List<LatentEdit> edits = new ArrayList<>();
        private TruncationPolicy promptTruncation = TruncationPolicy.ERROR;
        private int chunkRows = DEFAULT_CHUNK_ROWS;
        private SynthesisNoise noise = SynthesisNoise.RANDOM;
        private RerankMode rerank = RerankMode.FULL;

        Builder(Clip2Latent model) {
            this.model = model;
        }

        /** The text prompt (replaces any earlier condition). */
        public Builder prompt(String prompt) {
            return prompts(List.of(checkPrompt(prompt, "prompt")));
        }

        /**
         * Several prompts, each sampled {@link #samples(int)} times (replaces any earlier
         * condition).
         */
        public Builder prompts(List<String> values) {
            checkArgument(
                    values != null && !values.isEmpty(),
                    "prompts must not be empty, got %s",
                    values);
            List<String> checked = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                checked.add(checkPrompt(values.get(i), "prompt " + i));
            }
            clearCondition();
            prompts.addAll(checked);
            return this;
        }

        /**
         * Image variations: condition on the CLIP embedding of {@code value} (replaces any earlier
         * condition).
         */
        public Builder image(BufferedImage value) {
            checkNotNull(value, "image");
            clearCondition();
            this.image = value;
            return this;
        }

        /**
         * Condition on a CLIP embedding (replaces any earlier condition). The prior and the CLIP
         * scores read it as given: a bundle's {@link io.github.clip2latent.bundle.TextCalibration},
         * which prompts go through, is not applied (pass an image embedding as is, or a text
         * embedding already calibrated).
         */
        public Builder embedding(float[] value) {
            checkEmbedding(value);
            clearCondition();
            this.embedding = value.clone();
            return this;
        }

        /** Guide away from this prompt: it replaces the unconditional branch of guidance. */
        public Builder negativePrompt(String value) {
            this.negativePrompt = checkPrompt(value, "negative prompt");
            return this;
        }

        /**
         * Classifier-free guidance scale, >= 0; 1 is the conditional prediction alone. Default 2.
         */
        public Builder guidance(double value) {
            checkGuidance(value);
            this.guidance = (float) value;
            return this;
        }

        /** Truncation psi in [0, 1] towards the training mean of w; 1 (default) is none. */
        public Builder truncate(double psi) {
            checkTruncation(psi);
            this.truncation = (float) psi;
            return this;
        }

        /**
         * Any number of sampling steps, with a consistent respacing (replaces {@link #skip(int)}).
         */
        public Builder steps(int value) {
            checkArgument(value >= 1, "steps must be >= 1, got %s", value);
            this.steps = value;
            this.skip = 0;
            return this;
        }

        /**
         * The reference's respacing {@code range(0, T, skip)} with its noise quirk (default 250).
         */
        public Builder skip(int value) {
            checkArgument(value >= 1, "skip must be >= 1, got %s", value);
            this.skip = value;
            this.steps = 0;
            return this;
        }

        /** DDPM (default, the reference) or DDIM. */
        public Builder sampler(SamplerKind value) {
            this.sampler = checkNotNull(value, "sampler");
            return this;
        }

        /** Images per condition, >= 1 (default 1). */
        public Builder samples(int value) {
            checkArgument(value >= 1, "samples must be >= 1, got %s", value);
            this.samples = value;
            return this;
        }

        /**
         * Candidates per image, >= 1: the one with the best CLIP score is kept (the paper uses 16).
         */
        public Builder candidates(int value) {
            checkArgument(value >= 1, "candidates must be >= 1, got %s", value);
            this.candidates = value;
            return this;
        }

        /** The seed; without it a random seed is drawn and reported in the result. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** Style mixing: {@code layers} take the w of a random latent from {@code mixSeed}. */
        public Builder styleMix(LayerRange layers, long mixSeed) {
            this.styleMix = new StyleMix(layers, mixSeed);
            return this;
        }

        /** Adds an edit of all layers: {@code ws += strength * direction}. */
        public Builder edit(EditDirection direction, double strength) {
            return edit(direction, strength, null);
        }

        /** Adds an edit of a layer range. */
        public Builder edit(EditDirection direction, double strength, LayerRange layers) {
            checkStrength(strength);
            edits.add(
                    new LatentEdit(checkNotNull(direction, "direction"), (float) strength, layers));
            return this;
        }

        /**
         * What to do with a prompt longer than the text encoder's context: {@link
         * TruncationPolicy#ERROR} (default) fails; {@link TruncationPolicy#TRUNCATE} keeps the
         * start that fits, as {@code clip.tokenize(texts, truncate=True)}. With {@code TRUNCATE}
         * the builder must be bound to a model (its tokenizer decides what fits), and the request
         * holds the shortened text, so results and PNG metadata show what was drawn.
         */
        public Builder promptTruncation(TruncationPolicy value) {
            this.promptTruncation = checkNotNull(value, "promptTruncation");
            return this;
        }

        /**
         * Rows (images x candidates) sampled together, >= 1 (default {@value #DEFAULT_CHUNK_ROWS}):
         * memory grows with the chunk, not the request. The chunk size is part of the recipe: it
         * fixes the order of the random draws.
         */
        public Builder chunkRows(int value) {
            checkArgument(value >= 1, "chunkRows must be >= 1, got %s", value);
            this.chunkRows = value;
            return this;
        }

        /**
         * The StyleGAN2 synthesis noise: {@link SynthesisNoise#RANDOM} (default, the reference's: fresh
         * draws from the seed), {@link SynthesisNoise#CONST} (the stored buffers) or {@link
         * SynthesisNoise#NONE}. Generators without noise inputs ignore it.
         */
        public Builder noise(SynthesisNoise value) {
            this.noise = checkNotNull(value, "noise");
            return this;
        }

        /**
         * How candidates are rendered for re-ranking: {@link RerankMode#FULL} (default, every
         * candidate at full size) or {@link RerankMode#PREVIEW} (ranked on the bundle's preview
         * synthesis, only the winners rendered at full size; the bundle must have one).
         */
        public Builder rerank(RerankMode value) {
            this.rerank = checkNotNull(value, "rerank");
            return this;
        }

        /** The request; a missing seed is drawn now. */
        public SampleRequest build() {
            long chosenSeed = seed != null ? seed : new java.security.SecureRandom().nextLong();
            return new SampleRequest(
                    prompts.stream().map(this::fitted).toList(),
                    image,
                    embedding,
                    negativePrompt == null ? null : fitted(negativePrompt),
                    guidance,
                    truncation,
                    steps,
                    skip,
                    sampler,
                    samples,
                    candidates,
                    chosenSeed,
                    styleMix,
                    edits,
                    promptTruncation,
                    chunkRows,
                    noise,
                    rerank);
        }

        /** Builds the request and samples it with the model this builder is bound to. */
        public SampleResult sample() {
            checkState(
                    model != null,
                    "this builder is not bound to a model; use Clip2Latent.sample(request)");
            return model.sample(build());
        }

        /**
         * Builds the request and samples it chunk by chunk with the model this builder is bound to,
         * handing each chunk's images to {@code sink}: for requests whose results would not fit in
         * memory at once. See {@link Clip2Latent#sampleEach(SampleRequest, SampleSink)}.
         */
        public void sampleEach(SampleSink sink) throws java.io.IOException {
            checkState(
                    model != null,
                    "this builder is not bound to a model; use Clip2Latent.sampleEach(request,"
                            + " sink)");
            model.sampleEach(build(), sink);
        }

        /** {@code prompt}, or with {@code TRUNCATE} its start that fits in the context. */
        private String fitted(String prompt) {
            if (promptTruncation == TruncationPolicy.ERROR) {
                return prompt;
            }
            checkState(
                    model != null,
                    "promptTruncation(TRUNCATE) needs a builder bound to a model (its tokenizer);"
                            + " use Clip2Latent.prompt(...)");
            ClipTokenizer tokenizer = model.textEncoder().tokenizer();
            int room = tokenizer.contextLength() - 2;
            int[] tokens = tokenizer.encode(prompt);
            if (tokens.length <= room) {
                return prompt;
            }
            // Decoded text re-encodes to the same tokens in practice; the loop makes sure it fits.
            for (int keep = room; keep > 0; keep--) {
                String text = tokenizer.decode(Arrays.copyOf(tokens, keep)).strip();
                if (tokenizer.encode(text).length <= room) {
                    return text;
                }
            }
            throw new IllegalArgumentException("cannot shorten the prompt to fit: " + prompt);
        }

        private void clearCondition() {
            prompts.clear();
            image = null;
            embedding = null;
        }
    }
}
