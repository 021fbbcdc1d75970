package io.github.clip2latent.examples.shapes.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.List;

class MarkdownTablesTest {

    private static final List<String> HEADER = List.of("run", "score");

    @Test
    void aNewTableIsAppendedAndARowWithTheSameKeyIsReplacedInPlace() {
        String doc = "# Report\n\nSome words.\n";
        doc = MarkdownTables.upsert(doc, "results", HEADER, List.of("a", "1"));
        doc = MarkdownTables.upsert(doc, "results", HEADER, List.of("b", "2"));
        doc = MarkdownTables.upsert(doc, "results", HEADER, List.of("a", "3"));
        assertEquals(
                "# Report\n\nSome words.\n\n"
                        + "<!-- table:results -->\n"
                        + "| run | score |\n"
                        + "|---|---|\n"
                        + "| a | 3 |\n"
                        + "| b | 2 |\n"
                        + "<!-- /table:results -->\n",
                doc);
    }

    @Test
    void textAroundATableIsKeptAndAKeyThatIsAPrefixOfAnotherIsItsOwnRow() {
        String doc =
                "intro\n<!-- table:t -->\n| run | score |\n|---|---|\n| ab | 1 |\n"
                        + "<!-- /table:t -->\nafter\n";
        doc = MarkdownTables.upsert(doc, "t", HEADER, List.of("a", "2"));
        assertEquals(
                "intro\n<!-- table:t -->\n| run | score |\n|---|---|\n| ab | 1 |\n| a | 2 |\n"
                        + "<!-- /table:t -->\nafter\n",
                doc);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> MarkdownTables.upsert("", "Bad Name", HEADER, List.of("a", "1")));
        assertThrows(
                IllegalArgumentException.class,
                () -> MarkdownTables.upsert("<!-- table:t -->\n", "t", HEADER, List.of("a", "1")));
        String doc = MarkdownTables.upsert("", "t", HEADER, List.of("a", "1"));
        IllegalArgumentException other =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                MarkdownTables.upsert(
                                        doc, "t", List.of("run", "other"), List.of("a", "1")));
        assertTrue(other.getMessage().contains("has other columns"), other.getMessage());
    }
}
