package io.github.clip2latent.convert.read;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The reference fixtures on the test class path, and rows of their MANIFEST tables. */
public final class Fixtures {

    private Fixtures() {}

    /**
     * A fixture file as a path (the test resources are plain files in this module).
     *
     * @param relative e.g. {@code prior/prior.ckpt}
     * @return the path
     */
    public static Path path(String relative) {
        URL url = Fixtures.class.getResource("/reference/" + relative);
        if (url == null) {
            throw new IllegalStateException("missing test resource /reference/" + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One row of a MANIFEST tensor table: name, dtype, shape. */
    public record Row(String name, String dtype, long[] shape) {
        @Override
        public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape);
        }
    }

    private static final Pattern ROW =
            Pattern.compile("^\\| `([^`]+)` \\| (\\w+) \\| \\(([0-9, ]*)\\) \\|\\s*$");

    /**
     * The tensor rows of the table that follows the line containing {@code heading}.
     *
     * @param manifest e.g. {@code prior/MANIFEST.md}
     * @param heading text of the line that introduces the table
     * @return the rows in order
     */
    public static List<Row> tableAfter(String manifest, String heading) {
        try {
            List<String> lines = Files.readAllLines(path(manifest), StandardCharsets.UTF_8);
            int i = 0;
            while (i < lines.size() && !lines.get(i).contains(heading)) {
                i++;
            }
            if (i == lines.size()) {
                throw new IllegalStateException(manifest + " has no line with: " + heading);
            }
            List<Row> rows = new ArrayList<>();
            boolean inTable = false;
            for (i++; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher m = ROW.matcher(line);
                if (m.matches()) {
                    inTable = true;
                    String[] dims =
                            m.group(3).trim().isEmpty() ? new String[0] : m.group(3).split(",");
                    long[] shape =
                            Arrays.stream(dims)
                                    .map(String::trim)
                                    .filter(s -> !s.isEmpty())
                                    .mapToLong(Long::parseLong)
                                    .toArray();
                    rows.add(new Row(m.group(1), m.group(2), shape));
                } else if (inTable && !line.startsWith("|")) {
                    break;
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
