package io.github.clip2latent;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.github.clip2latent.latent.EditDirection;
import io.github.clip2latent.latent.LayerRange;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What to draw: the condition (prompts, an image or an embedding), the sampling settings and the
 * latent edits. Immutable; build one with {@link #builder()} or, bound to a model, with {@link
 * Clip2Latent#prompt(String)} and friends.
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
        List<LatentEdit> edits) {

    /** The reference demo's respacing: skip 250, i.e. the four steps 750, 500, 250, 0. */
    public static final int DEFAULT_SKIP = 250;

    /** The reference demo's guidance scale. */
    public static final float DEFAULT_GUIDANCE = 2f;

    /** Validates and copies. */
    public SampleRequest {
        prompts = List.copyOf(prompts);
        int conditions =
                (prompts.isEmpty() ? 0 : 1) + (image != null ? 1 : 0) + (embedding != null ? 1 : 0);
        checkArgument(
                conditions == 1,
                "a request needs exactly one condition (prompt(s), image or embedding), got %s",
                conditions);
        embedding = embedding == null ? null : embedding.clone();
        image = image == null ? null : copy(image);
        checkArgument(
                steps == 0 ^ skip == 0,
                "set either steps or skip, got steps=%s skip=%s",
                steps,
                skip);
        checkNotNull(sampler, "sampler");
        edits = List.copyOf(edits);
    }

    /**
     * A deep copy that keeps the stored samples and color model: drawing into an RGB image would
     * composite alpha onto black and pass grey through a linear-grey conversion, changing the
     * pixels CLIP's preprocessing sees.
     */
    private static BufferedImage copy(BufferedImage source) {
        return new BufferedImage(
                source.getColorModel(),
                source.copyData(null),
                source.isAlphaPremultiplied(),
                null);
    }

    /** A new unbound builder; end it with {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder(null);
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
        return prompts.isEmpty() ? 1 : prompts.size();
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
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SampleRequest r
                && prompts.equals(r.prompts)
                && Arrays.equals(embedding, r.embedding)
                && java.util.Objects.equals(negativePrompt, r.negativePrompt)
                && guidance == r.guidance
                && truncation == r.truncation
                && steps == r.steps
                && skip == r.skip
                && sampler == r.sampler
                && samples == r.samples
                && candidates == r.candidates
                && seed == r.seed
                && java.util.Objects.equals(styleMix, r.styleMix)
                && edits.equals(r.edits)
                && (image == null) == (r.image == null);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                prompts,
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
                edits);
    }

    @Override
    public String toString() {
        return "SampleRequest[" + describe() + "]";
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

        /** Condition on a raw CLIP embedding (replaces any earlier condition). */
        public Builder embedding(float[] value) {
            checkArgument(value != null && value.length > 0, "embedding must not be empty");
            for (int i = 0; i < value.length; i++) {
                checkArgument(
                        Float.isFinite(value[i]),
                        "embedding[%s] is not finite: %s",
                        i,
                        (Object) value[i]);
            }
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
            checkArgument(
                    Double.isFinite(value) && value >= 0,
                    "guidance must be a finite value >= 0, got %s",
                    value);
            this.guidance = (float) value;
            return this;
        }

        /** Truncation psi in [0, 1] towards the training mean of w; 1 (default) is none. */
        public Builder truncate(double psi) {
            checkArgument(psi >= 0 && psi <= 1, "truncate psi must be in [0, 1], got %s", psi);
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
            checkArgument(
                    Double.isFinite(strength), "edit strength must be finite, got %s", strength);
            edits.add(
                    new LatentEdit(checkNotNull(direction, "direction"), (float) strength, layers));
            return this;
        }

        /** The request; a missing seed is drawn now. */
        public SampleRequest build() {
            long chosenSeed = seed != null ? seed : new java.security.SecureRandom().nextLong();
            return new SampleRequest(
                    prompts,
                    image,
                    embedding,
                    negativePrompt,
                    guidance,
                    truncation,
                    steps,
                    skip,
                    sampler,
                    samples,
                    candidates,
                    chosenSeed,
                    styleMix,
                    edits);
        }

        /** Builds the request and samples it with the model this builder is bound to. */
        public SampleResult sample() {
            checkState(
                    model != null,
                    "this builder is not bound to a model; use Clip2Latent.sample(request)");
            return model.sample(build());
        }

        private void clearCondition() {
            prompts.clear();
            image = null;
            embedding = null;
        }

        private static String checkPrompt(String value, String what) {
            checkArgument(
                    value != null && !value.isBlank(),
                    "%s must not be empty, got %s",
                    what,
                    value == null ? "null" : "\"" + value + "\"");
            return value;
        }
    }
}
