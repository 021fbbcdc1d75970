package io.github.clip2latent.examples.shapes.quality;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.examples.shapes.CaptionAttribute;
import io.github.clip2latent.examples.shapes.CaptionCheck;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.examples.shapes.WorldAttributes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Scores a benchmark set ({@link BenchmarkPrompt}s) against the ground truth of the sampled
 * latents: per-attribute accuracy, the share of images with every named attribute right, the swap
 * rate (object and background colors exactly exchanged) and the binding score of the swap pairs,
 * with a breakdown by prompt kind.
 */
public final class CompositionalEvaluator {

    private CompositionalEvaluator() {}

    /**
     * Named and confirmed counts of one group of images.
     *
     * @param images images scored
     * @param accuracy confirmed / named attributes
     * @param allRight share of images with every named attribute right
     */
    public record Score(int images, double accuracy, double allRight) {}

    /**
     * The scores of one run.
     *
     * @param settings what was run (prompt {@code i} uses seed {@code settings.seed() + i}, the
     *     second half of a swap pair its first half's)
     * @param prompts prompts in the set
     * @param overall every image
     * @param perAttribute accuracy per attribute kind, over the images whose prompt names it
     * @param perKind every image of each prompt kind
     * @param heldOut the images of prompts naming a held-out color-shape pair
     * @param swapRate among images whose prompt names both colors, the share whose object has the
     *     named background color and whose background has the named object color
     * @param bothColorsImages the images counted for the swap rate
     * @param bindingScore over swap pairs and sample indices, the share where both halves have the
     *     object and the background color right (NaN without swap pairs)
     * @param pairSwapRate the swap rate over the swap-pair prompts alone (NaN without them)
     * @param clipScore mean world-CLIP cosine of the kept images to their prompt
     * @param seconds wall-clock time of the run
     */
    public record Report(
            QualityEvaluator.Settings settings,
            int prompts,
            Score overall,
            Map<CaptionAttribute, Double> perAttribute,
            Map<PromptKind, Score> perKind,
            Score heldOut,
            double swapRate,
            int bothColorsImages,
            double bindingScore,
            double pairSwapRate,
            double clipScore,
            double seconds) {}

    /** One scored image. */
    private record Scored(
            BenchmarkPrompt prompt,
            int sample,
            CaptionCheck check,
            boolean swapped,
            boolean colorsRight) {}

    /**
     * Samples every prompt with {@code settings} and scores the images.
     *
     * @param model the loaded bundle
     * @param world the bundle's world, for the ground truth
     * @param prompts the set
     * @param settings guidance, respacing, sampler, candidates, samples per prompt, base seed
     * @return the report
     */
    public static Report evaluate(
            Clip2Latent model,
            ShapesWorld world,
            List<BenchmarkPrompt> prompts,
            QualityEvaluator.Settings settings) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(world, "world");
        long start = System.nanoTime();
        List<List<WorldAttributes>> truths = new ArrayList<>();
        double clip = 0;
        int images = 0;
        for (int p = 0; p < prompts.size(); p++) {
            BenchmarkPrompt prompt = prompts.get(p);
            SampleResult result =
                    settings.request(model, prompt.text(), seedOf(prompts, p, settings.seed()))
                            .sample();
            float[] ws = result.ws();
            List<WorldAttributes> ofPrompt = new ArrayList<>();
            for (int i = 0; i < result.count(); i++) {
                ofPrompt.add(world.attributes(ws, i));
                clip += result.clipScores()[i];
                images++;
            }
            truths.add(ofPrompt);
        }
        return report(settings, prompts, truths, clip / images, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Scores given truths: {@code truths.get(p).get(i)} is the true attributes of image {@code i}
     * of prompt {@code p}.
     */
    static Report report(
            QualityEvaluator.Settings settings,
            List<BenchmarkPrompt> prompts,
            List<List<WorldAttributes>> truths,
            double clipScore,
            double seconds) {
        if (truths.size() != prompts.size()) {
            throw new IllegalArgumentException(
                    "truths for " + truths.size() + " prompts, expected " + prompts.size());
        }
        List<Scored> scored = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            for (int i = 0; i < truths.get(p).size(); i++) {
                scored.add(score(prompts.get(p), i, truths.get(p).get(i)));
            }
        }
        return report(settings, prompts.size(), scored, clipScore, seconds);
    }

    /**
     * Prompt {@code p}'s seed: {@code base + p}, except that the second half of a swap pair takes
     * the first half's seed, so that a text encoder blind to word order draws the same image for
     * both halves and can get at most one of them right.
     *
     * @param prompts the set
     * @param p the prompt's index in {@code prompts}
     * @param base the run's base seed
     * @return the seed {@link #evaluate} samples prompt {@code p} with
     */
    public static long seedOf(List<BenchmarkPrompt> prompts, int p, long base) {
        int pair = prompts.get(p).swapPair();
        return pair >= 0 && p > 0 && prompts.get(p - 1).swapPair() == pair
                ? base + p - 1
                : base + p;
    }

    private static Scored score(BenchmarkPrompt prompt, int sample, WorldAttributes truth) {
        CaptionCheck check = prompt.meaning().check(truth);
        boolean swapped = false;
        boolean colorsRight = false;
        if (prompt.namesBothColors()) {
            swapped =
                    truth.objectColor() == prompt.meaning().background()
                            && truth.backgroundColor() == prompt.meaning().color();
            colorsRight =
                    truth.objectColor() == prompt.meaning().color()
                            && truth.backgroundColor() == prompt.meaning().background();
        }
        return new Scored(prompt, sample, check, swapped, colorsRight);
    }

    private static Report report(
            QualityEvaluator.Settings settings,
            int promptCount,
            List<Scored> scored,
            double clipScore,
            double seconds) {
        Map<CaptionAttribute, int[]> per = new EnumMap<>(CaptionAttribute.class);
        for (Scored s : scored) {
            for (CaptionAttribute a : s.check().named()) {
                int[] c = per.computeIfAbsent(a, k -> new int[2]);
                c[0]++;
                c[1] += s.check().confirmed().contains(a) ? 1 : 0;
            }
        }
        Map<CaptionAttribute, Double> perAttribute = new EnumMap<>(CaptionAttribute.class);
        per.forEach((a, c) -> perAttribute.put(a, (double) c[1] / c[0]));
        Map<PromptKind, Score> perKind = new EnumMap<>(PromptKind.class);
        for (PromptKind kind : PromptKind.values()) {
            List<Scored> of = scored.stream().filter(s -> s.prompt().kind() == kind).toList();
            if (!of.isEmpty()) {
                perKind.put(kind, score(of));
            }
        }
        List<Scored> both = scored.stream().filter(s -> s.prompt().namesBothColors()).toList();
        List<Scored> pairs =
                scored.stream().filter(s -> s.prompt().kind() == PromptKind.SWAP_PAIR).toList();
        // Binding: both halves of a pair right at the same sample index.
        Map<List<Integer>, Integer> halvesRight = new HashMap<>();
        for (Scored s : pairs) {
            halvesRight.merge(
                    List.of(s.prompt().swapPair(), s.sample()),
                    s.colorsRight() ? 1 : 0,
                    Integer::sum);
        }
        long bound = halvesRight.values().stream().filter(n -> n == 2).count();
        return new Report(
                settings,
                promptCount,
                score(scored),
                Collections.unmodifiableMap(perAttribute),
                Collections.unmodifiableMap(perKind),
                score(
                        scored.stream()
                                .filter(
                                        s ->
                                                BenchmarkPrompts.namesHeldOutPair(
                                                        s.prompt().meaning()))
                                .toList()),
                rate(both),
                both.size(),
                halvesRight.isEmpty() ? Double.NaN : (double) bound / halvesRight.size(),
                rate(pairs),
                clipScore,
                seconds);
    }

    private static double rate(List<Scored> images) {
        return images.isEmpty()
                ? Double.NaN
                : (double) images.stream().filter(Scored::swapped).count() / images.size();
    }

    private static Score score(List<Scored> images) {
        if (images.isEmpty()) {
            return new Score(0, Double.NaN, Double.NaN);
        }
        int named = 0;
        int confirmed = 0;
        int all = 0;
        for (Scored s : images) {
            named += s.check().named().size();
            confirmed += s.check().confirmed().size();
            all += s.check().allConfirmed() ? 1 : 0;
        }
        return new Score(images.size(), (double) confirmed / named, (double) all / images.size());
    }
}
