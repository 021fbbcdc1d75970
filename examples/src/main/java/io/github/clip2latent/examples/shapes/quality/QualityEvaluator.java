package io.github.clip2latent.examples.shapes.quality;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleRequest;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.CaptionAttribute;
import io.github.clip2latent.examples.shapes.CaptionCheck;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.examples.shapes.WorldAttributes;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Scores generated images against the ground truth: for each prompt, the share of the attributes it
 * names that the true attributes of the sampled latent confirm, the world-CLIP score, and how
 * diverse the attributes it leaves unnamed are.
 */
public final class QualityEvaluator {

    private QualityEvaluator() {}

    /**
     * One benchmark configuration.
     *
     * @param label a name for tables
     * @param guidance classifier-free guidance scale
     * @param steps consistent respacing steps, or 0 to use {@code skip}
     * @param skip the reference's skip (250 = 4 steps), used when {@code steps} is 0
     * @param sampler DDPM or DDIM
     * @param candidates best-of-n re-ranking (1 = single sample)
     * @param samplesPerPrompt images per prompt
     * @param seed base seed; prompt i uses {@code seed + i}
     */
    public record Settings(
            String label,
            double guidance,
            int steps,
            int skip,
            SamplerKind sampler,
            int candidates,
            int samplesPerPrompt,
            long seed) {

        /** Validates. */
        public Settings {
            checkArgument(steps > 0 || skip > 0, "need steps or skip");
            checkArgument(
                    candidates >= 1 && samplesPerPrompt >= 1,
                    "candidates and samples must be >= 1");
        }

        /**
         * The request these settings make for one prompt.
         *
         * @param model the bundle to sample
         * @param prompt the prompt text
         * @param seed the prompt's seed
         * @return the request, ready to sample
         */
        public SampleRequest.Builder request(Clip2Latent model, String prompt, long seed) {
            SampleRequest.Builder request =
                    model.prompt(prompt)
                            .guidance(guidance)
                            .sampler(sampler)
                            .candidates(candidates)
                            .samples(samplesPerPrompt)
                            .seed(seed);
            return steps > 0 ? request.steps(steps) : request.skip(skip);
        }

        /** The paper's demo: guidance 2, skip 250 (4 steps), DDPM. */
        public static Settings reference(int candidates, int samplesPerPrompt) {
            return new Settings(
                    candidates == 1 ? "single sample" : "best of " + candidates,
                    2,
                    0,
                    250,
                    SamplerKind.DDPM,
                    candidates,
                    samplesPerPrompt,
                    1000);
        }

        /** A copy with another label. */
        public Settings labelled(String newLabel) {
            return new Settings(
                    newLabel, guidance, steps, skip, sampler, candidates, samplesPerPrompt, seed);
        }

        /** A copy with another guidance scale. */
        public Settings withGuidance(double value) {
            return new Settings(
                    label, value, steps, skip, sampler, candidates, samplesPerPrompt, seed);
        }

        /** A copy with a consistent respacing of {@code value} steps. */
        public Settings withSteps(int value) {
            return new Settings(
                    label, guidance, value, 0, sampler, candidates, samplesPerPrompt, seed);
        }

        /** A copy with another sampler. */
        public Settings withSampler(SamplerKind value) {
            return new Settings(
                    label, guidance, steps, skip, value, candidates, samplesPerPrompt, seed);
        }

        /** Steps as a table cell. */
        public String stepsLabel() {
            return steps > 0 ? Integer.toString(steps) : (1000 / skip) + " (skip " + skip + ")";
        }
    }

    /**
     * The scores of one configuration.
     *
     * @param settings what was run
     * @param images images scored
     * @param accuracy confirmed / named attributes over all images
     * @param allCorrect share of images whose every named attribute is right
     * @param perAttribute accuracy per attribute kind
     * @param clipScore mean world-CLIP cosine of the kept images to their prompt
     * @param unnamedDiversity mean normalized entropy of the categorical attributes a prompt leaves
     *     unnamed (1 = as spread as the sample count allows, 0 = always the same)
     * @param seconds wall-clock time
     */
    public record Report(
            Settings settings,
            int images,
            double accuracy,
            double allCorrect,
            Map<CaptionAttribute, Double> perAttribute,
            double clipScore,
            double unnamedDiversity,
            double seconds) {}

    /** Runs {@code settings} on every prompt. */
    public static Report evaluate(
            Clip2Latent model, ShapesWorld world, List<Caption> prompts, Settings settings) {
        long start = System.nanoTime();
        int named = 0;
        int confirmed = 0;
        int images = 0;
        int allCorrect = 0;
        double clip = 0;
        Map<CaptionAttribute, int[]> per = new EnumMap<>(CaptionAttribute.class);
        double diversity = 0;
        int diversityTerms = 0;
        for (int p = 0; p < prompts.size(); p++) {
            Caption caption = prompts.get(p);
            SampleResult result =
                    settings.request(model, caption.text(), settings.seed() + p).sample();
            float[] ws = result.ws();
            List<WorldAttributes> truths = new ArrayList<>();
            for (int i = 0; i < result.count(); i++) {
                WorldAttributes truth = world.attributes(ws, i);
                truths.add(truth);
                CaptionCheck check = caption.check(truth);
                named += check.named().size();
                confirmed += check.confirmed().size();
                allCorrect += check.allConfirmed() ? 1 : 0;
                for (CaptionAttribute a : check.named()) {
                    int[] counts = per.computeIfAbsent(a, k -> new int[2]);
                    counts[0]++;
                    counts[1] += check.confirmed().contains(a) ? 1 : 0;
                }
                clip += result.clipScores()[i];
                images++;
            }
            if (result.count() > 1) {
                if (caption.shape() == null) {
                    diversity += entropy(truths, WorldAttributes::shape, 3);
                    diversityTerms++;
                }
                if (caption.color() == null) {
                    diversity += entropy(truths, WorldAttributes::objectColor, 8);
                    diversityTerms++;
                }
                if (caption.background() == null) {
                    diversity += entropy(truths, WorldAttributes::backgroundColor, 8);
                    diversityTerms++;
                }
            }
        }
        Map<CaptionAttribute, Double> perAttribute = new EnumMap<>(CaptionAttribute.class);
        per.forEach((a, c) -> perAttribute.put(a, (double) c[1] / c[0]));
        return new Report(
                settings,
                images,
                (double) confirmed / named,
                (double) allCorrect / images,
                perAttribute,
                clip / images,
                diversityTerms == 0 ? Double.NaN : diversity / diversityTerms,
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * Entropy of a categorical attribute over samples, divided by its maximum for this sample
     * count.
     */
    static <T> double entropy(
            List<WorldAttributes> truths, Function<WorldAttributes, T> attribute, int categories) {
        Map<T, Integer> counts = new HashMap<>();
        for (WorldAttributes t : truths) {
            counts.merge(attribute.apply(t), 1, Integer::sum);
        }
        double h = 0;
        for (int c : counts.values()) {
            double q = (double) c / truths.size();
            h -= q * Math.log(q);
        }
        double max = Math.log(Math.min(categories, truths.size()));
        return max == 0 ? 0 : h / max;
    }
}
