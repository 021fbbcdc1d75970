package io.github.clip2latent.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.clip2latent.examples.EmbeddedBundle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code clip2latent quality --set} and {@code --quick-start} on a tiny subset with the embedded
 * bundle: the harness runs, prints the figures and records one row per command. The full runs are
 * commands (docs/quality.md), not tests.
 */
class QualityCommandTest {

    @Test
    void aTinySubsetIsMeasuredPrintedAndRecordedAsRowsThatARerunReplaces(@TempDir Path dir)
            throws Exception {
        assumeTrue(Files.isDirectory(EmbeddedBundle.path()), "the embedded bundle is not built");
        Path doc = dir.resolve("quality.md");
        Files.writeString(doc, "# Quality\n\nhand-written text\n");
        String[] args = {
            "quality",
            "--bundle",
            EmbeddedBundle.path().toString(),
            "--set",
            "compositional",
            "--limit",
            "2",
            "--samples",
            "2",
            "--candidates",
            "1,2",
            "--record",
            doc.toString(),
            "--run",
            "tiny"
        };
        Cli.Outcome first = Cli.run(args);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("8 prompts x 2 samples, seeds 1000..1007"), first.out());
        assertTrue(first.out().contains("binding score"), first.out());
        String text = Files.readString(doc);
        assertTrue(text.startsWith("# Quality\n\nhand-written text\n"), text);
        List<String> rows = rows(text, "results");
        assertEquals(2, rows.size(), text);
        assertTrue(rows.get(0).startsWith("| tiny, single sample | compositional |"), rows.get(0));
        assertTrue(rows.get(1).startsWith("| tiny, best of 2 |"), rows.get(1));
        assertEquals(2, rows(text, "results-kinds").size(), text);
        // Seeded: a rerun gives the same figures in the same rows (only the seconds may differ).
        Cli.Outcome again = Cli.run(args);
        assertEquals(0, again.code(), again.err());
        List<String> rerun = rows(Files.readString(doc), "results");
        assertEquals(2, rerun.size());
        assertEquals(withoutSeconds(rows.get(0)), withoutSeconds(rerun.get(0)));
    }

    @Test
    void theQuickStartCheckCountsSeedsWithTheSampleCommandsDefaults(@TempDir Path dir)
            throws Exception {
        assumeTrue(Files.isDirectory(EmbeddedBundle.path()), "the embedded bundle is not built");
        Path doc = dir.resolve("quality.md");
        Cli.Outcome out =
                Cli.run(
                        "quality",
                        "--bundle",
                        EmbeddedBundle.path().toString(),
                        "--quick-start",
                        "--seeds",
                        "3",
                        "--record",
                        doc.toString());
        assertEquals(0, out.code(), out.err());
        Matcher m =
                Pattern.compile("CLI's defaults \\(.*\\): (\\d) of 3 seeds right")
                        .matcher(out.out());
        assertTrue(m.find(), out.out());
        List<String> rows = rows(Files.readString(doc), "quick-start");
        assertEquals(1, rows.size());
        assertTrue(rows.get(0).contains("| " + m.group(1) + " / 3 |"), rows.get(0));
    }

    @Test
    void theQuickStartPromptIsTheReadmes() throws Exception {
        Path readme = Path.of("..", "README.md");
        if (!Files.exists(readme)) {
            readme = Path.of("README.md");
        }
        assertTrue(
                Files.readString(readme)
                        .contains("./clip2latent \"" + QuickStartCheck.PROMPT + "\" --out out.png"),
                "README's quick start no longer draws \"" + QuickStartCheck.PROMPT + "\"");
    }

    private static List<String> rows(String doc, String table) {
        String open = "<!-- table:" + table + " -->\n";
        int from = doc.indexOf(open);
        assertTrue(from >= 0, "no table " + table + " in\n" + doc);
        String body = doc.substring(from + open.length(), doc.indexOf("<!-- /table:" + table));
        List<String> lines = body.lines().toList();
        return lines.subList(2, lines.size());
    }

    private static String withoutSeconds(String row) {
        // The seconds are the last cell but one (before the command).
        String[] cells = row.split(" \\| ");
        cells[cells.length - 2] = "";
        return String.join(" | ", cells);
    }
}
