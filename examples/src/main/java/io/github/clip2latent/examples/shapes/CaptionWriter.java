package io.github.clip2latent.examples.shapes;

import io.github.clip2latent.examples.shapes.quality.BenchmarkPrompts;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Writes the training captions of the world CLIP: each {@link SceneCaption} in many phrasings and
 * word orders, so that the CLIP learns which color belongs to the object and which to the
 * background from the sentence, not from a fixed template. The grammar (docs/shapes-world.md):
 *
 * <ul>
 *   <li>sizes: small | little | tiny, large | big; colors: the eight palette words; nouns: circle,
 *       square, triangle, or "shape" when no shape is named;
 *   <li>positions ({@link #positionPhrases}): "on the left" | "to the left" | "on the left side"
 *       (right alike), "at the top" | "near the top" | "in the upper half", "at the bottom" |
 *       "near the bottom" | "in the lower half", "in the center" | "in the centre" | "in the
 *       middle" | "at the center", and corners "in the top left", "in the upper left corner", ...;
 *   <li>frames, with O = "a [size] [color] noun", P a position phrase, B a background color:
 *       "O[ P][ on a B background]", "a B background with O[ P]", "P, O[ on a B background]", "on
 *       B, O[ P]", "O[ P] against a B background", "O[ P] over a B background", "[size] [color]
 *       noun[ P], B background", "O[ P]. the background is B", "[size] [color] noun[ P]", and for a
 *       background alone "a B background" | "B background".
 * </ul>
 *
 * Frames the compositional benchmark reserves (world-contract.md) are never written.
 */
public final class CaptionWriter {

    private static final List<String> SMALL = List.of("small", "little", "tiny");
    private static final List<String> LARGE = List.of("large", "big");

    private CaptionWriter() {}

    /**
     * Every word and punctuation mark a caption can contain.
     *
     * @return the sorted words
     */
    public static Set<String> vocabulary() {
        TreeSet<String> words = new TreeSet<>();
        for (PaletteColor c : PaletteColor.values()) {
            words.add(c.word());
        }
        for (Shape s : Shape.values()) {
            words.add(s.word());
        }
        words.addAll(SMALL);
        words.addAll(LARGE);
        for (Position p : Position.values()) {
            for (String phrase : positionPhrases(EnumSet.of(p))) {
                words.addAll(List.of(phrase.split(" ")));
            }
        }
        for (String phrase : positionPhrases(EnumSet.of(Position.TOP, Position.LEFT))) {
            words.addAll(List.of(phrase.split(" ")));
        }
        for (String phrase : positionPhrases(EnumSet.of(Position.BOTTOM, Position.RIGHT))) {
            words.addAll(List.of(phrase.split(" ")));
        }
        words.addAll(
                List.of(
                        "a", "an", "shape", "on", "with", "background", "against", "over", "the",
                        "is", ",", "."));
        return words;
    }

    /**
     * The phrases of a position: one region or a corner.
     *
     * @param positions empty, one region, or a corner
     * @return the phrases, empty for no position
     */
    public static List<String> positionPhrases(Set<Position> positions) {
        if (positions.isEmpty()) {
            return List.of();
        }
        if (positions.size() == 2) {
            Position v = SceneCaption.vertical(positions);
            String h = SceneCaption.horizontal(positions) == Position.LEFT ? "left" : "right";
            List<String> vs =
                    v == Position.TOP ? List.of("top", "upper") : List.of("bottom", "lower");
            List<String> out = new ArrayList<>();
            for (String word : vs) {
                out.add("in the " + word + " " + h);
            }
            out.add("at the " + vs.get(0) + " " + h);
            for (String word : vs) {
                out.add("in the " + word + " " + h + " corner");
            }
            return out;
        }
        return switch (positions.iterator().next()) {
            case LEFT -> List.of("on the left", "to the left", "on the left side");
            case RIGHT -> List.of("on the right", "to the right", "on the right side");
            case TOP -> List.of("at the top", "near the top", "in the upper half");
            case BOTTOM -> List.of("at the bottom", "near the bottom", "in the lower half");
            case CENTER -> List.of("in the center", "in the centre", "in the middle", "at the center");
        };
    }

    /**
     * A random wording of a caption: each synonym and each frame that fits equally likely.
     *
     * @param caption what to say
     * @param random caller-owned generator
     * @return the text, lower case
     */
    public static String write(SceneCaption caption, SplittableRandom random) {
        List<String> texts = allTexts(caption);
        return texts.get(random.nextInt(texts.size()));
    }

    /**
     * Every text {@link #write} can give for a caption.
     *
     * @param caption what to say
     * @return the texts, without duplicates, in a fixed order
     */
    public static List<String> allTexts(SceneCaption caption) {
        Objects.requireNonNull(caption, "caption");
        LinkedHashSet<String> out = new LinkedHashSet<>();
        List<String> sizes =
                caption.size() == null
                        ? List.of("")
                        : caption.size() == SizeClass.SMALL ? SMALL : LARGE;
        List<String> places = new ArrayList<>(positionPhrases(caption.positions()));
        if (places.isEmpty()) {
            places.add("");
        }
        String b = caption.background() == null ? null : caption.background().word();
        if (!caption.namesObject()) {
            out.add("a " + b + " background");
            out.add(b + " background");
            return List.copyOf(out);
        }
        for (String size : sizes) {
            String obj =
                    Caption.join(
                            size,
                            caption.color() == null ? "" : caption.color().word(),
                            caption.shape() == null ? "shape" : caption.shape().word());
            String o = Caption.withArticle(obj);
            for (String p : places) {
                if (b == null) {
                    out.add(Caption.join(o, p));
                    out.add(Caption.join(obj, p));
                    if (!p.isEmpty()) {
                        out.add(p + ", " + o);
                    }
                    continue;
                }
                out.add(Caption.join(o, p, "on a " + b + " background"));
                out.add(Caption.join("a " + b + " background with", o, p));
                if (!p.isEmpty()) {
                    out.add(p + ", " + Caption.join(o, "on a " + b + " background"));
                }
                out.add(Caption.join("on " + b + ",", o, p));
                out.add(Caption.join(o, p, "against a " + b + " background"));
                out.add(Caption.join(o, p, "over a " + b + " background"));
                out.add(Caption.join(obj, p) + ", " + b + " background");
                out.add(Caption.join(o, p) + ". the background is " + b);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Whether {@link #write} can give {@code text} for some caption the training uses (no
     * held-out color-shape pair), comparing canonical forms: lower case, punctuation dropped,
     * whitespace collapsed.
     *
     * @param text any text
     * @return true when some training caption reads the same
     */
    public static boolean canWrite(String text) {
        String canonical = canonical(text);
        List<String> words = List.of(canonical.split(" "));
        Shape shape = null;
        SizeClass size = null;
        List<PaletteColor> colors = new ArrayList<>();
        Set<Position> positions = EnumSet.noneOf(Position.class);
        for (String w : words) {
            for (Shape s : Shape.values()) {
                if (s.word().equals(w)) {
                    shape = s;
                }
            }
            for (PaletteColor c : PaletteColor.values()) {
                if (c.word().equals(w)) {
                    colors.add(c);
                }
            }
            if (SMALL.contains(w)) {
                size = SizeClass.SMALL;
            } else if (LARGE.contains(w)) {
                size = SizeClass.LARGE;
            }
            switch (w) {
                case "left" -> positions.add(Position.LEFT);
                case "right" -> positions.add(Position.RIGHT);
                case "top", "upper" -> positions.add(Position.TOP);
                case "bottom", "lower" -> positions.add(Position.BOTTOM);
                case "center", "centre", "middle" -> positions.add(Position.CENTER);
                default -> {}
            }
        }
        if (colors.size() > 2) {
            return false;
        }
        List<PaletteColor[]> assignments = new ArrayList<>();
        if (colors.isEmpty()) {
            assignments.add(new PaletteColor[] {null, null});
        } else if (colors.size() == 1) {
            assignments.add(new PaletteColor[] {colors.get(0), null});
            assignments.add(new PaletteColor[] {null, colors.get(0)});
        } else {
            assignments.add(new PaletteColor[] {colors.get(0), colors.get(1)});
            assignments.add(new PaletteColor[] {colors.get(1), colors.get(0)});
        }
        for (PaletteColor[] a : assignments) {
            SceneCaption candidate;
            try {
                candidate = new SceneCaption(shape, size, a[0], positions, a[1]);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (isHeldOut(candidate)) {
                continue;
            }
            for (String t : allTexts(candidate)) {
                if (canonical(t).equals(canonical)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a caption names a color-shape pair the CLIP never reads ({@link BenchmarkPrompts#HELD_OUT}). */
    public static boolean isHeldOut(SceneCaption caption) {
        return caption.color() != null
                && caption.shape() != null
                && BenchmarkPrompts.HELD_OUT.contains(List.of(caption.color(), caption.shape()));
    }

    /** Lower case, punctuation dropped, whitespace collapsed. */
    public static String canonical(String text) {
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\s]", " ").trim()
                .replaceAll("\\s+", " ");
    }

    /**
     * A random training caption of an image that names only what the truth shows plainly: each
     * such attribute with its own probability (object color 0.7, background 0.65, shape 0.6,
     * position 0.5, size 0.45; at least one), a corner when the center is in one (half the time),
     * and never a held-out color-shape pair (the shape is then left out).
     *
     * @param truth the image's true attributes
     * @param random caller-owned generator
     * @return the caption, or {@code null} when nothing about the image is unambiguous
     */
    public static SceneCaption describe(WorldAttributes truth, SplittableRandom random) {
        List<CaptionAttribute> candidates = Caption.unambiguous(truth);
        if (candidates.isEmpty()) {
            return null;
        }
        Set<CaptionAttribute> chosen = EnumSet.noneOf(CaptionAttribute.class);
        for (CaptionAttribute a : candidates) {
            double p =
                    switch (a) {
                        case COLOR -> 0.7;
                        case BACKGROUND -> 0.65;
                        case SHAPE -> 0.6;
                        case POSITION -> 0.5;
                        case SIZE -> 0.45;
                    };
            if (random.nextDouble() < p) {
                chosen.add(a);
            }
        }
        if (chosen.isEmpty()) {
            chosen.add(candidates.get(random.nextInt(candidates.size())));
        }
        return describe(truth, chosen, random);
    }

    /**
     * The caption naming exactly {@code chosen} (those of them the truth shows plainly).
     *
     * @param truth the image's true attributes
     * @param chosen the attributes to name
     * @param random picks a position phrase's region
     * @return the caption, or {@code null} when none of {@code chosen} is unambiguous
     */
    public static SceneCaption describe(
            WorldAttributes truth, Set<CaptionAttribute> chosen, SplittableRandom random) {
        List<CaptionAttribute> clear = Caption.unambiguous(truth);
        Set<CaptionAttribute> named = EnumSet.noneOf(CaptionAttribute.class);
        for (CaptionAttribute a : chosen) {
            if (clear.contains(a)) {
                named.add(a);
            }
        }
        if (named.isEmpty()) {
            return null;
        }
        Set<Position> positions = EnumSet.noneOf(Position.class);
        if (named.contains(CaptionAttribute.POSITION)) {
            Set<Position> all = truth.positions();
            if (all.size() == 2 && random.nextBoolean()) {
                positions.addAll(all);
            } else {
                List<Position> list = new ArrayList<>(all);
                positions.add(list.get(random.nextInt(list.size())));
            }
        }
        SceneCaption c =
                new SceneCaption(
                        named.contains(CaptionAttribute.SHAPE) ? truth.shape() : null,
                        named.contains(CaptionAttribute.SIZE) ? truth.sizeClass() : null,
                        named.contains(CaptionAttribute.COLOR) ? truth.objectColor() : null,
                        positions,
                        named.contains(CaptionAttribute.BACKGROUND)
                                ? truth.backgroundColor()
                                : null);
        return isHeldOut(c) ? c.withoutShape() : c;
    }
}
