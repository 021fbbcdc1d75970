package io.github.clip2latent.examples.shapes.quality;

import io.github.clip2latent.files.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Named Markdown tables inside a document, one row per benchmark command: a command updates its own
 * row (the first cell is the row's key) and leaves the rest of the document as it was. A table sits
 * between {@code <!-- table:NAME -->} and {@code <!-- /table:NAME -->}; a table not yet in the
 * document is added at its end. A command whose columns differ from the table's is refused, so that
 * a table never mixes rows of two layouts.
 */
public final class MarkdownTables {

    private MarkdownTables() {}

    /**
     * Adds or replaces a row of a table and writes the document atomically.
     *
     * @param file the Markdown document (created when absent)
     * @param table the table's name
     * @param header the column names; must be the table's, if it has rows
     * @param row the cells, as many as the header; the first is the key
     * @throws IOException when the document cannot be read or written
     */
    public static void upsert(Path file, String table, List<String> header, List<String> row)
            throws IOException {
        Objects.requireNonNull(file, "file");
        if (header.size() != row.size()) {
            throw new IllegalArgumentException(
                    "table "
                            + table
                            + ": "
                            + row.size()
                            + " cells for "
                            + header.size()
                            + " columns");
        }
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        AtomicFiles.writeString(file, upsert(text, table, header, row));
    }

    /**
     * The document with the row added or replaced.
     *
     * @param document the Markdown text
     * @param table the table's name
     * @param header the column names
     * @param row the cells; the first is the key
     * @return the new text
     */
    static String upsert(String document, String table, List<String> header, List<String> row) {
        if (!table.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException(
                    "table names are lower-case letters, digits and '-', got '" + table + "'");
        }
        String open = "<!-- table:" + table + " -->";
        String close = "<!-- /table:" + table + " -->";
        int from = document.indexOf(open);
        int to = document.indexOf(close);
        List<String> rows = new ArrayList<>();
        String before;
        String after;
        if (from < 0) {
            before =
                    document.isEmpty() || document.endsWith("\n\n")
                            ? document
                            : document + (document.endsWith("\n") ? "\n" : "\n\n");
            after = "\n";
        } else {
            if (to < from) {
                throw new IllegalArgumentException(
                        "table " + table + " opens with " + open + " but has no " + close);
            }
            before = document.substring(0, from);
            after = document.substring(to + close.length());
            for (String line : document.substring(from + open.length(), to).split("\n")) {
                // Keeps the body rows: not the header and not the |---| rule.
                if (line.startsWith("|") && !line.startsWith("|---")) {
                    rows.add(line);
                }
            }
            if (!rows.isEmpty()) {
                String existing = rows.remove(0);
                if (!existing.equals(line(header))) {
                    throw new IllegalArgumentException(
                            "table "
                                    + table
                                    + " has other columns ("
                                    + existing
                                    + ") than this command writes ("
                                    + line(header)
                                    + "): remove its block to start it afresh");
                }
            }
        }
        String line = line(row);
        String key = line(List.of(row.get(0)));
        boolean replaced = false;
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).startsWith(key)) {
                rows.set(i, line);
                replaced = true;
            }
        }
        if (!replaced) {
            rows.add(line);
        }
        StringBuilder out = new StringBuilder(before).append(open).append('\n');
        out.append(line(header)).append('\n');
        out.append("|---".repeat(header.size())).append("|\n");
        for (String r : rows) {
            out.append(r).append('\n');
        }
        out.append(close).append(after);
        return out.toString();
    }

    private static String line(List<String> cells) {
        StringBuilder out = new StringBuilder("|");
        for (String c : cells) {
            out.append(' ').append(c.replace("|", "\\|").replace("\n", " ")).append(" |");
        }
        return out.toString();
    }
}
