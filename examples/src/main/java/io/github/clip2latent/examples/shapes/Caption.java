package io.github.clip2latent.examples.shapes;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A caption of the shapes world: the attributes it names (any non-empty subset of shape, size,
 * object color, position and background color; {@code null} components are not named) and the word
 * order it is written in. {@link #text()} writes it, {@link #parse(String)} reads it back, and
 * {@link #check(WorldAttributes)} tells which named attributes an image really has.
 *
 * @param shape the named shape, or {@code null}; without it the noun is "shape"
 * @param size the named size class, or {@code null}
 * @param color the named object color, or {@code null}
 * @param position the named position, or {@code null}
 * @param background the named background color, or {@code null}
 * @param template the word order
 */
public record Caption(
        Shape shape,
        SizeClass size,
        PaletteColor color,
        Position position,
        PaletteColor background,
        CaptionTemplate template) {

    /** Validates that something is named and that the template has what it needs. */
    public Caption {
        Objects.requireNonNull(template, "template");
        if (shape == null
                && size == null
                && color == null
                && position == null
                && background == null) {
            throw new IllegalArgumentException("a caption must name at least one attribute");
        }
        if (template == CaptionTemplate.BACKGROUND_FIRST && background == null) {
            throw new IllegalArgumentException(
                    "template BACKGROUND_FIRST needs a background color");
        }
        if (template == CaptionTemplate.POSITION_FIRST && position == null) {
            throw new IllegalArgumentException("template POSITION_FIRST needs a position");
        }
    }

    /**
     * A caption in the plain word order.
     *
     * @param shape shape or {@code null}
     * @param size size class or {@code null}
     * @param color object color or {@code null}
     * @param position position or {@code null}
     * @param background background color or {@code null}
     * @return the caption
     */
    public static Caption of(
            Shape shape,
            SizeClass size,
            PaletteColor color,
            Position position,
            PaletteColor background) {
        return new Caption(shape, size, color, position, background, CaptionTemplate.PLAIN);
    }

    /**
     * The attributes this caption names.
     *
     * @return a fresh set, never empty
     */
    public Set<CaptionAttribute> named() {
        Set<CaptionAttribute> out = EnumSet.noneOf(CaptionAttribute.class);
        if (shape != null) {
            out.add(CaptionAttribute.SHAPE);
        }
        if (size != null) {
            out.add(CaptionAttribute.SIZE);
        }
        if (color != null) {
            out.add(CaptionAttribute.COLOR);
        }
        if (position != null) {
            out.add(CaptionAttribute.POSITION);
        }
        if (background != null) {
            out.add(CaptionAttribute.BACKGROUND);
        }
        return out;
    }

    /**
     * Checks each named attribute against the truth: shape and colors by the arg-max category, size
     * and position by their regions ({@link SizeClass#contains}, {@link Position#contains}).
     *
     * @param truth the image's true attributes
     * @return the named and the confirmed attributes
     */
    public CaptionCheck check(WorldAttributes truth) {
        Objects.requireNonNull(truth, "truth");
        Set<CaptionAttribute> confirmed = EnumSet.noneOf(CaptionAttribute.class);
        if (shape != null && truth.shape() == shape) {
            confirmed.add(CaptionAttribute.SHAPE);
        }
        if (size != null && size.contains(truth.size())) {
            confirmed.add(CaptionAttribute.SIZE);
        }
        if (color != null && truth.objectColor() == color) {
            confirmed.add(CaptionAttribute.COLOR);
        }
        if (position != null && position.contains(truth.centerX(), truth.centerY())) {
            confirmed.add(CaptionAttribute.POSITION);
        }
        if (background != null && truth.backgroundColor() == background) {
            confirmed.add(CaptionAttribute.BACKGROUND);
        }
        return new CaptionCheck(named(), confirmed);
    }

    /**
     * Whether the truth confirms every named attribute.
     *
     * @param truth the image's true attributes
     * @return true when the caption is right in everything it says
     */
    public boolean matches(WorldAttributes truth) {
        return check(truth).allConfirmed();
    }

    /**
     * The caption's text, e.g. {@code "a large yellow triangle at the bottom on a black
     * background"}.
     *
     * @return lower-case text without a final period
     */
    public String text() {
        List<String> object = new ArrayList<>();
        if (size != null) {
            object.add(size.word());
        }
        if (color != null) {
            object.add(color.word());
        }
        object.add(shape != null ? shape.word() : "shape");
        String noun = withArticle(String.join(" ", object));
        String where = position == null ? "" : position.phrase();
        String ground = background == null ? "" : withArticle(background.word() + " background");
        return switch (template) {
            case PLAIN -> join(noun, where, ground.isEmpty() ? "" : "on " + ground);
            case BACKGROUND_FIRST -> join(ground, "with", noun, where);
            case POSITION_FIRST -> join(where + ",", noun, ground.isEmpty() ? "" : "on " + ground);
        };
    }

    @Override
    public String toString() {
        return text();
    }

    /**
     * Reads a caption written in any of the templates. Case, commas and a final period are ignored;
     * "centre" is read as "center".
     *
     * @param text the caption
     * @return the caption
     * @throws IllegalArgumentException when the text has a word outside the caption grammar, names
     *     an attribute twice, or names nothing
     */
    public static Caption parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] tokens =
                text.toLowerCase(Locale.ROOT)
                        .replace(',', ' ')
                        .replace('.', ' ')
                        .trim()
                        .split("\\s+");
        Shape shape = null;
        SizeClass size = null;
        PaletteColor color = null;
        Position position = null;
        PaletteColor background = null;
        CaptionTemplate template = CaptionTemplate.PLAIN;
        boolean nounSeen = false;
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i];
            Position phrase = positionAt(tokens, i);
            if (phrase != null) {
                position = once(position, phrase, "position", text);
                if (i == 0) {
                    template = CaptionTemplate.POSITION_FIRST;
                }
                i += 2;
                continue;
            }
            PaletteColor paint = colorOf(token);
            if (paint != null) {
                if (i + 1 < tokens.length && tokens[i + 1].equals("background")) {
                    background = once(background, paint, "background color", text);
                    if (!nounSeen && position == null) {
                        template = CaptionTemplate.BACKGROUND_FIRST;
                    }
                    i++;
                } else {
                    color = once(color, paint, "object color", text);
                }
                continue;
            }
            Shape noun = shapeOf(token);
            if (noun != null || token.equals("shape")) {
                if (nounSeen) {
                    throw new IllegalArgumentException(
                            "caption names the shape twice: \"" + text + "\"");
                }
                nounSeen = true;
                shape = noun;
                continue;
            }
            SizeClass sizeWord = sizeOf(token);
            if (sizeWord != null) {
                size = once(size, sizeWord, "size", text);
                continue;
            }
            if (!(token.equals("a")
                    || token.equals("an")
                    || token.equals("on")
                    || token.equals("with"))) {
                throw new IllegalArgumentException(
                        "unknown word '" + token + "' in caption \"" + text + "\"");
            }
        }
        if (template == CaptionTemplate.BACKGROUND_FIRST && background == null) {
            template = CaptionTemplate.PLAIN;
        }
        return new Caption(shape, size, color, position, background, template);
    }

    /**
     * A random caption of an image that names only attributes the truth shows plainly: each such
     * attribute is named with probability one half (at least one is always named), in a random
     * template that fits.
     *
     * @param truth the image's true attributes
     * @param random caller-owned generator
     * @return the caption, or empty when nothing about the image is unambiguous
     */
    public static Optional<Caption> describe(WorldAttributes truth, SplittableRandom random) {
        Objects.requireNonNull(truth, "truth");
        Objects.requireNonNull(random, "random");
        List<CaptionAttribute> candidates = unambiguous(truth);
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        Set<CaptionAttribute> chosen = EnumSet.noneOf(CaptionAttribute.class);
        for (CaptionAttribute a : candidates) {
            if (random.nextBoolean()) {
                chosen.add(a);
            }
        }
        if (chosen.isEmpty()) {
            chosen.add(candidates.get(random.nextInt(candidates.size())));
        }
        List<Position> places = new ArrayList<>(truth.positions());
        Position position =
                chosen.contains(CaptionAttribute.POSITION)
                        ? places.get(random.nextInt(places.size()))
                        : null;
        PaletteColor background =
                chosen.contains(CaptionAttribute.BACKGROUND) ? truth.backgroundColor() : null;
        List<CaptionTemplate> templates = new ArrayList<>(List.of(CaptionTemplate.PLAIN));
        if (background != null) {
            templates.add(CaptionTemplate.BACKGROUND_FIRST);
        }
        if (position != null) {
            templates.add(CaptionTemplate.POSITION_FIRST);
        }
        return Optional.of(
                new Caption(
                        chosen.contains(CaptionAttribute.SHAPE) ? truth.shape() : null,
                        chosen.contains(CaptionAttribute.SIZE) ? truth.sizeClass() : null,
                        chosen.contains(CaptionAttribute.COLOR) ? truth.objectColor() : null,
                        position,
                        background,
                        templates.get(random.nextInt(templates.size()))));
    }

    /**
     * The attributes a caption may name for this image: clear categories (confidence at least
     * {@value WorldAttributes#CLEAR}), a size in one of the classes, a center in some region.
     *
     * @param truth the image's true attributes
     * @return the attributes in declaration order
     */
    public static List<CaptionAttribute> unambiguous(WorldAttributes truth) {
        List<CaptionAttribute> out = new ArrayList<>();
        if (truth.shapeIsClear()) {
            out.add(CaptionAttribute.SHAPE);
        }
        if (truth.sizeClass() != null) {
            out.add(CaptionAttribute.SIZE);
        }
        if (truth.objectColorIsClear()) {
            out.add(CaptionAttribute.COLOR);
        }
        if (!truth.positions().isEmpty()) {
            out.add(CaptionAttribute.POSITION);
        }
        if (truth.backgroundColorIsClear()) {
            out.add(CaptionAttribute.BACKGROUND);
        }
        return out;
    }

    private static Position positionAt(String[] tokens, int i) {
        if (i + 2 >= tokens.length) {
            return null;
        }
        String phrase =
                tokens[i] + " " + tokens[i + 1] + " " + tokens[i + 2].replace("centre", "center");
        for (Position p : Position.values()) {
            if (p.phrase().equals(phrase)) {
                return p;
            }
        }
        return null;
    }

    private static PaletteColor colorOf(String token) {
        for (PaletteColor c : PaletteColor.values()) {
            if (c.word().equals(token)) {
                return c;
            }
        }
        return null;
    }

    private static Shape shapeOf(String token) {
        for (Shape s : Shape.values()) {
            if (s.word().equals(token)) {
                return s;
            }
        }
        return null;
    }

    private static SizeClass sizeOf(String token) {
        for (SizeClass s : SizeClass.values()) {
            if (s.word().equals(token)) {
                return s;
            }
        }
        return null;
    }

    private static <T> T once(T previous, T value, String what, String text) {
        if (previous != null) {
            throw new IllegalArgumentException(
                    "caption names the " + what + " twice: \"" + text + "\"");
        }
        return value;
    }

    /** "a" or "an" by the first letter; the only vowel-initial word of the grammar is "orange". */
    static String withArticle(String phrase) {
        return ("aeiou".indexOf(phrase.charAt(0)) >= 0 ? "an " : "a ") + phrase;
    }

    /** The non-empty parts, separated by single spaces. */
    static String join(String... parts) {
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (!part.isEmpty()) {
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(part);
            }
        }
        return out.toString();
    }
}
