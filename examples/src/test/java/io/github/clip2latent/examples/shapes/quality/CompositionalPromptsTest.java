package io.github.clip2latent.examples.shapes.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.CaptionAttribute;
import io.github.clip2latent.examples.shapes.CaptionWriter;
import io.github.clip2latent.examples.shapes.CaptionTemplate;
import io.github.clip2latent.examples.shapes.PaletteColor;
import io.github.clip2latent.examples.shapes.Position;
import io.github.clip2latent.examples.shapes.Shape;
import io.github.clip2latent.examples.shapes.SizeClass;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

class CompositionalPromptsTest {

    private static final List<BenchmarkPrompt> SET = CompositionalPrompts.standard();

    private static final List<String> EVERY_CAPTION = enumerateCaptions();

    /**
     * Every text the caption generator ({@link Caption#describe} and the CLIP batches' fallback "a
     * shape") can write: every combination of named attributes in every template that accepts it. A
     * superset of what training ever drew, so a prompt absent here is never a training caption.
     */
    static List<String> everyCaption() {
        return EVERY_CAPTION;
    }

    private static List<String> enumerateCaptions() {
        List<String> out = new ArrayList<>(List.of("a shape"));
        for (Shape shape : withNull(Shape.values())) {
            for (SizeClass size : withNull(SizeClass.values())) {
                for (PaletteColor color : withNull(PaletteColor.values())) {
                    for (Position position : withNull(Position.values())) {
                        for (PaletteColor background : withNull(PaletteColor.values())) {
                            for (CaptionTemplate template : CaptionTemplate.values()) {
                                try {
                                    out.add(
                                            new Caption(
                                                            shape,
                                                            size,
                                                            color,
                                                            position,
                                                            background,
                                                            template)
                                                    .text());
                                } catch (IllegalArgumentException notWritable) {
                                    // nothing named, or a template without what it needs
                                }
                            }
                        }
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    private static <T> List<T> withNull(T[] values) {
        List<T> out = new ArrayList<>(Arrays.asList(values));
        out.add(null);
        return out;
    }

    @Test
    void noBenchmarkPromptIsACaptionTheGeneratorCanWrite() {
        List<String> captions = everyCaption();
        assertTrue(captions.size() > 10_000, "enumerated " + captions.size() + " captions");
        assertEquals(Map.of(), CompositionalPrompts.collisions(SET, captions));
    }

    /**
     * The world CLIP's caption writer ({@link CaptionWriter#canWrite}) can write none of the
     * benchmark's prompts, and every benchmark word is one it uses.
     */
    @Test
    void noBenchmarkPromptIsACaptionTheWorldClipCaptionWriterCanWrite() {
        // It must be able to say yes: a plain caption and one of its new frames.
        assertTrue(CaptionWriter.canWrite("a red circle on the left on a blue background"));
        assertTrue(CaptionWriter.canWrite("On blue, a small red circle at the top."));
        List<BenchmarkPrompt> both = new ArrayList<>(SET);
        both.addAll(CompositionalPrompts.synonyms());
        List<String> hits = new ArrayList<>();
        for (BenchmarkPrompt p : both) {
            if (CaptionWriter.canWrite(p.text())) {
                hits.add(p.text());
            }
        }
        assertEquals(List.of(), hits);
        Set<String> vocabulary = CaptionWriter.vocabulary();
        Set<String> unknown = new java.util.TreeSet<>();
        for (BenchmarkPrompt p : both) {
            for (String w : CompositionalPrompts.canonical(p.text()).split(" ")) {
                if (!vocabulary.contains(w)) {
                    unknown.add(w);
                }
            }
        }
        assertEquals(Set.of(), unknown);
    }

    @Test
    void theCollisionCheckFindsAPlantedCaptionEvenWithOtherPunctuationAndCase() {
        Caption planted =
                new Caption(
                        Shape.CIRCLE,
                        null,
                        PaletteColor.RED,
                        Position.LEFT,
                        PaletteColor.BLUE,
                        CaptionTemplate.POSITION_FIRST);
        String written = planted.text(); // "on the left, a red circle on a blue background"
        List<BenchmarkPrompt> withPlant = new ArrayList<>(SET);
        withPlant.add(
                new BenchmarkPrompt(
                        "On the left a red circle, on a blue background.",
                        planted,
                        PromptKind.BOTH_COLORS,
                        "planted",
                        -1));
        Map<String, String> hits = CompositionalPrompts.collisions(withPlant, everyCaption());
        assertEquals(Map.of("On the left a red circle, on a blue background.", written), hits);
    }

    @Test
    void everyWordOfTheSetIsAWordOfTheCaptionsAndAPlantedUnknownWordIsFound() {
        List<String> captions = everyCaption();
        assertEquals(Set.of(), CompositionalPrompts.unknownWords(SET, captions));
        BenchmarkPrompt centre =
                new BenchmarkPrompt(
                        "the red circle in the centre",
                        Caption.of(Shape.CIRCLE, null, PaletteColor.RED, Position.CENTER, null),
                        PromptKind.OBJECT_ONLY,
                        "planted",
                        -1);
        assertEquals(
                Set.of("centre"), CompositionalPrompts.unknownWords(List.of(centre), captions));
    }

    @Test
    void theSynonymSetUsesAnotherWordInEveryPromptAndNoOtherNewWordAndIsNoCaption() {
        List<BenchmarkPrompt> synonyms = CompositionalPrompts.synonyms();
        assertEquals(64, synonyms.size());
        Set<String> declared = new HashSet<>();
        CompositionalPrompts.SIZE_SYNONYMS.values().forEach(l -> declared.addAll(l));
        CompositionalPrompts.POSITION_SYNONYMS.values().forEach(l -> declared.addAll(l));
        Set<String> declaredWords = new HashSet<>();
        for (String phrase : declared) {
            declaredWords.addAll(List.of(phrase.split(" ")));
        }
        List<String> captions = everyCaption();
        Set<String> unknown = CompositionalPrompts.unknownWords(synonyms, captions);
        assertFalse(unknown.isEmpty());
        assertTrue(declaredWords.containsAll(unknown), unknown + " not all in " + declaredWords);
        assertEquals(Map.of(), CompositionalPrompts.collisions(synonyms, captions));
        for (BenchmarkPrompt p : synonyms) {
            assertTrue(
                    declared.stream().anyMatch(d -> p.text().contains(d)),
                    p.text() + " uses no synonym");
            assertTrue(p.namesBothColors(), p.text());
            assertTrue(CompositionalPrompts.Frame.valueOf(p.frame()).fits(p.meaning()), p.text());
        }
    }

    @Test
    void atLeast200DistinctPromptsAndMoreThanHalfNameBothColorsWithOneToThreeMore() {
        assertTrue(SET.size() >= 200, "only " + SET.size());
        assertEquals(
                SET.size(),
                SET.stream().map(p -> CompositionalPrompts.canonical(p.text())).distinct().count(),
                "duplicate prompts");
        long both =
                SET.stream()
                        .filter(BenchmarkPrompt::namesBothColors)
                        .filter(
                                p -> {
                                    int more = p.meaning().named().size() - 2;
                                    return more >= 1 && more <= 3;
                                })
                        .count();
        assertTrue(both * 2 >= SET.size(), both + " of " + SET.size() + " name both colors + 1-3");
    }

    @Test
    void theDrawIsSeededAndReproducible() {
        assertEquals(
                SET,
                CompositionalPrompts.generate(CompositionalPrompts.STANDARD_SEED, 120, 40, 40));
        assertNotEquals(SET, CompositionalPrompts.generate(14, 120, 40, 40));
    }

    @Test
    void eachTextNamesExactlyTheAttributesOfItsMeaning() {
        for (BenchmarkPrompt p : SET) {
            Caption m = p.meaning();
            List<String> words = List.of(CompositionalPrompts.canonical(p.text()).split(" "));
            long colorWords =
                    words.stream()
                            .filter(
                                    w ->
                                            Arrays.stream(PaletteColor.values())
                                                    .anyMatch(c -> c.word().equals(w)))
                            .count();
            assertEquals(
                    (m.color() != null ? 1 : 0) + (m.background() != null ? 1 : 0),
                    colorWords,
                    p.text());
            if (m.background() != null) {
                assertTrue(p.text().contains(m.background().word() + " background"), p.text());
            }
            String object =
                    (m.size() == null ? "" : m.size().word() + " ")
                            + (m.color() == null ? "" : m.color().word() + " ")
                            + (m.shape() == null ? "shape" : m.shape().word());
            assertTrue(p.text().contains(object), p.text() + " should contain " + object);
            if (m.position() != null) {
                assertTrue(p.text().contains(m.position().phrase()), p.text());
            }
            assertFalse(p.text().contains("a orange"), p.text());
            assertTrue(CompositionalPrompts.Frame.valueOf(p.frame()).fits(m), p.frame() + " " + m);
        }
    }

    @Test
    void swapPairsCoverEveryColorPairWithTheColorsExchanged() {
        Map<Integer, List<BenchmarkPrompt>> pairs =
                SET.stream()
                        .filter(p -> p.kind() == PromptKind.SWAP_PAIR)
                        .collect(Collectors.groupingBy(BenchmarkPrompt::swapPair));
        assertEquals(28, pairs.size());
        Set<Set<PaletteColor>> colorPairs = new HashSet<>();
        for (List<BenchmarkPrompt> pair : pairs.values()) {
            assertEquals(2, pair.size());
            Caption a = pair.get(0).meaning();
            Caption b = pair.get(1).meaning();
            assertEquals(a.color(), b.background());
            assertEquals(a.background(), b.color());
            assertEquals(a.shape(), b.shape());
            assertEquals(pair.get(0).frame(), pair.get(1).frame());
            assertEquals(
                    EnumSet.of(
                            CaptionAttribute.SHAPE,
                            CaptionAttribute.COLOR,
                            CaptionAttribute.BACKGROUND),
                    a.named());
            colorPairs.add(Set.of(a.color(), a.background()));
        }
        assertEquals(28, colorPairs.size());
    }

    @Test
    void heldOutColorShapePairsAppearInProportion() {
        List<BenchmarkPrompt> colorAndShape =
                SET.stream()
                        .filter(p -> p.meaning().color() != null && p.meaning().shape() != null)
                        .toList();
        long heldOut =
                colorAndShape.stream()
                        .filter(p -> BenchmarkPrompts.namesHeldOutPair(p.meaning()))
                        .count();
        double share = (double) heldOut / colorAndShape.size();
        // 3 of the 24 color-shape pairs are held out: 0.125 expected.
        assertTrue(
                share > 0.06 && share < 0.2,
                heldOut + " of " + colorAndShape.size() + " name a held-out pair");
    }

    @Test
    void everyFrameAndEveryAttributeValueIsUsed() {
        Set<String> frames = SET.stream().map(BenchmarkPrompt::frame).collect(Collectors.toSet());
        for (CompositionalPrompts.Frame f : CompositionalPrompts.Frame.values()) {
            assertTrue(frames.contains(f.name()), f.name());
        }
        Set<Object> values = new HashSet<>();
        for (BenchmarkPrompt p : SET) {
            values.addAll(
                    Arrays.asList(
                            p.meaning().shape(),
                            p.meaning().size(),
                            p.meaning().position(),
                            p.meaning().color()));
            values.add("bg " + p.meaning().background());
        }
        for (Object[] all :
                new Object[][] {
                    Shape.values(), SizeClass.values(), Position.values(), PaletteColor.values()
                }) {
            for (Object v : all) {
                assertTrue(values.contains(v), v.toString());
            }
        }
        for (PaletteColor c : PaletteColor.values()) {
            assertTrue(values.contains("bg " + c), "background " + c);
        }
    }
}
