package io.github.clip2latent.examples.shapes.quality;

import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.CaptionAttribute;
import io.github.clip2latent.examples.shapes.PaletteColor;
import io.github.clip2latent.examples.shapes.Position;
import io.github.clip2latent.examples.shapes.Shape;
import io.github.clip2latent.examples.shapes.SizeClass;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The compositional benchmark of issue 13: prompts drawn at random (seeded) from word lists and
 * written in sentence frames that the caption generator never uses (reserved in the issue's
 * contract between the caption and benchmark work), so that the world is tested on sentences it
 * never read, made only of words it did read.
 *
 * <p>{@link #standard()} is the set: 120 prompts naming the object's color and the background's
 * together with 1 to 3 of shape, size and position; 40 naming the background without the object's
 * color; 40 naming the object's color without a background; and the 28 swap pairs, one for each
 * unordered pair of colors ("on a X background, a Y circle" against "on a Y background, a X
 * circle", shape and frame drawn once per pair). Every value is drawn uniformly, so the held-out
 * color-shape pairs ({@link BenchmarkPrompts#HELD_OUT}) appear in their natural proportion.
 */
public final class CompositionalPrompts {

    /** The seed of {@link #standard()}. */
    public static final long STANDARD_SEED = 13;

    /** The reserved frames; see {@link Frame#write}. */
    public enum Frame {
        /** {@code "on a {bg} background, a {obj}[ {pos}]"}. */
        B1(true, false),
        /** {@code "a {obj}[ {pos}], with a {bg} background"}. */
        B2(true, false),
        /** {@code "a {obj} on a {bg} background {pos}"}: the background before the position. */
        B3(true, true),
        /** {@code "{pos}, a {obj} with a {bg} background"}. */
        B4(true, true),
        /** {@code "the {obj}[ {pos}]"}: a definite article, no background. */
        T1(false, false),
        /** {@code "{pos}, the {obj}"}. */
        T2(false, true);

        private final boolean background;
        private final boolean needsPosition;

        Frame(boolean background, boolean needsPosition) {
            this.background = background;
            this.needsPosition = needsPosition;
        }

        /**
         * Whether the frame can write these attributes: frames B name a background, frames T none;
         * B3, B4 and T2 need a position.
         *
         * @param meaning the attributes
         * @return true when the frame fits
         */
        public boolean fits(Caption meaning) {
            return background == (meaning.background() != null)
                    && (!needsPosition || meaning.position() != null);
        }

        /**
         * Writes the attributes in this frame.
         *
         * @param meaning the attributes; must {@link #fits fit}
         * @return the prompt text
         */
        public String write(Caption meaning) {
            return write(
                    meaning,
                    meaning.size() == null ? null : meaning.size().word(),
                    meaning.position() == null ? null : meaning.position().phrase());
        }

        /**
         * Writes the attributes in this frame with other words for the size and the position.
         *
         * @param meaning the attributes; must {@link #fits fit}
         * @param sizeWord the size's word, or {@code null} when no size is named
         * @param positionPhrase the position's phrase, or {@code null} when none is named
         * @return the prompt text
         */
        public String write(Caption meaning, String sizeWord, String positionPhrase) {
            if ((sizeWord == null) != (meaning.size() == null)
                    || (positionPhrase == null) != (meaning.position() == null)) {
                throw new IllegalArgumentException(
                        "words '" + sizeWord + "', '" + positionPhrase + "' for " + meaning);
            }
            if (!fits(meaning)) {
                throw new IllegalArgumentException(
                        "frame " + this + " cannot write " + meaning.named());
            }
            List<String> words = new ArrayList<>();
            if (sizeWord != null) {
                words.add(sizeWord);
            }
            if (meaning.color() != null) {
                words.add(meaning.color().word());
            }
            words.add(meaning.shape() != null ? meaning.shape().word() : "shape");
            String object = String.join(" ", words);
            String indefinite = withArticle(object);
            String pos = positionPhrase == null ? "" : positionPhrase;
            String ground =
                    meaning.background() == null
                            ? ""
                            : withArticle(meaning.background().word() + " background");
            return switch (this) {
                case B1 -> "on " + ground + ", " + indefinite + space(pos);
                case B2 -> indefinite + space(pos) + ", with " + ground;
                case B3 -> indefinite + " on " + ground + " " + pos;
                case B4 -> pos + ", " + indefinite + " with " + ground;
                case T1 -> "the " + object + space(pos);
                case T2 -> pos + ", the " + object;
            };
        }

        /** "a" or "an" by the first letter, as the captions write it ("an orange ..."). */
        private static String withArticle(String phrase) {
            return ("aeiou".indexOf(phrase.charAt(0)) >= 0 ? "an " : "a ") + phrase;
        }

        private static String space(String phrase) {
            return phrase.isEmpty() ? "" : " " + phrase;
        }
    }

    /**
     * The other words the new training captions use for sizes (issue 13's caption work): each
     * prompt of {@link #synonyms()} uses these, never the canonical word.
     */
    public static final Map<SizeClass, List<String>> SIZE_SYNONYMS =
            Map.of(SizeClass.SMALL, List.of("little", "tiny"), SizeClass.LARGE, List.of("big"));

    /** The other phrases the new training captions use for positions. */
    public static final Map<Position, List<String>> POSITION_SYNONYMS =
            Map.of(
                    Position.LEFT, List.of("to the left", "on the left side"),
                    Position.RIGHT, List.of("to the right", "on the right side"),
                    Position.TOP, List.of("near the top", "in the upper half"),
                    Position.BOTTOM, List.of("near the bottom", "in the lower half"),
                    Position.CENTER, List.of("in the centre", "in the middle", "at the center"));

    private CompositionalPrompts() {}

    /**
     * The synonym set, apart from the compositional set so that bundles trained with and without
     * synonyms compare on the same core words there: 64 prompts in the reserved frames naming both
     * colors, a size or a position (or both) always in another word than {@link SizeClass#word()}
     * or {@link Position#phrase()}, and sometimes the shape.
     *
     * @return the prompts
     */
    public static List<BenchmarkPrompt> synonyms() {
        SplittableRandom random = new SplittableRandom(STANDARD_SEED + 1);
        List<BenchmarkPrompt> out = new ArrayList<>();
        Set<String> texts = new HashSet<>();
        while (out.size() < 64) {
            PaletteColor color = pick(random, PaletteColor.values());
            PaletteColor background;
            do {
                background = pick(random, PaletteColor.values());
            } while (background == color);
            int which = random.nextInt(3); // 0 size, 1 position, 2 both
            SizeClass size = which != 1 ? pick(random, SizeClass.values()) : null;
            Position position = which != 0 ? pick(random, Position.values()) : null;
            Shape shape = random.nextBoolean() ? pick(random, Shape.values()) : null;
            Caption meaning = Caption.of(shape, size, color, position, background);
            String sizeWord = size == null ? null : pickOf(random, SIZE_SYNONYMS.get(size));
            String phrase =
                    position == null ? null : pickOf(random, POSITION_SYNONYMS.get(position));
            List<Frame> frames = new ArrayList<>();
            for (Frame f : Frame.values()) {
                if (f.fits(meaning)) {
                    frames.add(f);
                }
            }
            Frame frame = frames.get(random.nextInt(frames.size()));
            String text = frame.write(meaning, sizeWord, phrase);
            if (texts.add(text)) {
                out.add(new BenchmarkPrompt(text, meaning, PromptKind.SYNONYMS, frame.name(), -1));
            }
        }
        return List.copyOf(out);
    }

    private static String pickOf(SplittableRandom random, List<String> values) {
        return values.get(random.nextInt(values.size()));
    }

    /**
     * The benchmark set, drawn with {@link #STANDARD_SEED}.
     *
     * @return 256 prompts, the swap pairs last, each pair's two halves adjacent
     */
    public static List<BenchmarkPrompt> standard() {
        return generate(STANDARD_SEED, 120, 40, 40);
    }

    /**
     * Draws a set.
     *
     * @param seed the seed of every draw
     * @param bothColors prompts naming both colors and 1 to 3 more attributes
     * @param backgroundOnly prompts naming the background and 1 to 3 more, no object color
     * @param objectOnly prompts naming the object's color and 1 to 3 more, no background
     * @return the prompts (distinct texts), then the 28 swap pairs
     */
    public static List<BenchmarkPrompt> generate(
            long seed, int bothColors, int backgroundOnly, int objectOnly) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> texts = new HashSet<>();
        // The swap pairs are drawn first so that no other prompt repeats one of them.
        List<BenchmarkPrompt> swaps = new ArrayList<>();
        PaletteColor[] colors = PaletteColor.values();
        int pair = 0;
        for (int i = 0; i < colors.length; i++) {
            for (int j = i + 1; j < colors.length; j++) {
                Shape shape = pick(random, Shape.values());
                Frame frame = random.nextBoolean() ? Frame.B1 : Frame.B2;
                boolean flip = random.nextBoolean();
                PaletteColor x = flip ? colors[j] : colors[i];
                PaletteColor y = flip ? colors[i] : colors[j];
                for (Caption meaning :
                        List.of(
                                Caption.of(shape, null, x, null, y),
                                Caption.of(shape, null, y, null, x))) {
                    String text = frame.write(meaning);
                    texts.add(text);
                    swaps.add(
                            new BenchmarkPrompt(
                                    text, meaning, PromptKind.SWAP_PAIR, frame.name(), pair));
                }
                pair++;
            }
        }
        List<BenchmarkPrompt> out = new ArrayList<>();
        draw(random, PromptKind.BOTH_COLORS, bothColors, out, texts);
        draw(random, PromptKind.BACKGROUND_ONLY, backgroundOnly, out, texts);
        draw(random, PromptKind.OBJECT_ONLY, objectOnly, out, texts);
        out.addAll(swaps);
        return List.copyOf(out);
    }

    private static void draw(
            SplittableRandom random,
            PromptKind kind,
            int count,
            List<BenchmarkPrompt> out,
            Set<String> texts) {
        int made = 0;
        int tries = 0;
        while (made < count) {
            if (++tries > 100 * count) {
                throw new IllegalStateException(
                        "could not draw " + count + " distinct " + kind + " prompts");
            }
            PaletteColor color =
                    kind == PromptKind.BACKGROUND_ONLY ? null : pick(random, PaletteColor.values());
            PaletteColor background = null;
            if (kind != PromptKind.OBJECT_ONLY) {
                do {
                    background = pick(random, PaletteColor.values());
                } while (background == color);
            }
            // 1 to 3 of shape, size and position, each subset size equally likely.
            List<CaptionAttribute> more =
                    new ArrayList<>(
                            List.of(
                                    CaptionAttribute.SHAPE,
                                    CaptionAttribute.SIZE,
                                    CaptionAttribute.POSITION));
            int k = 1 + random.nextInt(3);
            Set<CaptionAttribute> chosen = EnumSet.noneOf(CaptionAttribute.class);
            while (chosen.size() < k) {
                chosen.add(more.get(random.nextInt(more.size())));
            }
            Caption meaning =
                    Caption.of(
                            chosen.contains(CaptionAttribute.SHAPE)
                                    ? pick(random, Shape.values())
                                    : null,
                            chosen.contains(CaptionAttribute.SIZE)
                                    ? pick(random, SizeClass.values())
                                    : null,
                            color,
                            chosen.contains(CaptionAttribute.POSITION)
                                    ? pick(random, Position.values())
                                    : null,
                            background);
            List<Frame> frames = new ArrayList<>();
            for (Frame f : Frame.values()) {
                if (f.fits(meaning)) {
                    frames.add(f);
                }
            }
            Frame frame = frames.get(random.nextInt(frames.size()));
            String text = frame.write(meaning);
            if (texts.add(text)) {
                out.add(new BenchmarkPrompt(text, meaning, kind, frame.name(), -1));
                made++;
            }
        }
    }

    private static <T> T pick(SplittableRandom random, T[] values) {
        return values[random.nextInt(values.length)];
    }

    /**
     * The project's original set as benchmark prompts, for comparison.
     *
     * @return the 50 prompts of {@link BenchmarkPrompts#captions()}
     */
    public static List<BenchmarkPrompt> projectSet() {
        return BenchmarkPrompts.captions().stream().map(BenchmarkPrompt::ofCaption).toList();
    }

    /**
     * A text reduced to what a word-level reading sees: lower case, every character other than a
     * letter a space, spaces collapsed. Two texts equal here differ at most in punctuation and
     * case.
     *
     * @param text any text
     * @return the canonical form
     */
    public static String canonical(String text) {
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}]+", " ").trim();
    }

    /**
     * The prompts whose canonical form is a caption's canonical form.
     *
     * @param prompts the benchmark prompts
     * @param captionTexts every text the caption generator can write
     * @return prompt text to the caption it equals, in prompt order; empty when none collides
     */
    public static Map<String, String> collisions(
            Collection<BenchmarkPrompt> prompts, Collection<String> captionTexts) {
        Map<String, String> captions = new LinkedHashMap<>();
        for (String c : captionTexts) {
            captions.putIfAbsent(canonical(c), c);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (BenchmarkPrompt p : prompts) {
            String hit = captions.get(canonical(p.text()));
            if (hit != null) {
                out.put(p.text(), hit);
            }
        }
        return out;
    }

    /**
     * The words of the prompts that no caption uses: each would be a token the world never read.
     *
     * @param prompts the benchmark prompts
     * @param captionTexts every text the caption generator can write
     * @return the unknown words, sorted; empty when every word was read
     */
    public static Set<String> unknownWords(
            Collection<BenchmarkPrompt> prompts, Collection<String> captionTexts) {
        Set<String> known = new HashSet<>();
        for (String c : captionTexts) {
            known.addAll(List.of(canonical(c).split(" ")));
        }
        Set<String> out = new java.util.TreeSet<>();
        for (BenchmarkPrompt p : prompts) {
            for (String word : canonical(p.text()).split(" ")) {
                if (!known.contains(word)) {
                    out.add(word);
                }
            }
        }
        return out;
    }
}
