package io.github.clip2latent.examples.cli;

import io.github.clip2latent.SampleResult;
import io.github.clip2latent.image.PngFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A grid PNG of candidates, each labelled with its CLIP score, the best framed. The scores are also
 * in the PNG's text metadata, so they survive where no font is installed.
 */
final class ContactSheet {

    private static final int LABEL = 16;

    private ContactSheet() {}

    static void write(SampleResult candidates, Path file) throws IOException {
        int n = candidates.count();
        int columns = (int) Math.ceil(Math.sqrt(n));
        int rows = (n + columns - 1) / columns;
        int scale = Math.max(1, 128 / Math.max(candidates.width(), 1));
        int cellW = candidates.width() * scale;
        int cellH = candidates.height() * scale;
        BufferedImage sheet =
                new BufferedImage(
                        columns * (cellW + 4),
                        rows * (cellH + LABEL + 4),
                        BufferedImage.TYPE_INT_RGB);
        float[] scores = candidates.clipScores();
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(Color.DARK_GRAY);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setRenderingHint(
                    RenderingHints.KEY_INTERPOLATION,
                    RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            for (int i = 0; i < n; i++) {
                int x = (i % columns) * (cellW + 4) + 2;
                int y = (i / columns) * (cellH + LABEL + 4) + 2;
                g.drawImage(candidates.image(i), x, y, cellW, cellH, null);
                if (i == best) {
                    g.setColor(Color.GREEN);
                    g.setStroke(new BasicStroke(2));
                    g.drawRect(x - 1, y - 1, cellW + 1, cellH + 1);
                }
                drawLabel(
                        g,
                        String.format(Locale.ROOT, "%s%.3f", i == best ? "best " : "", scores[i]),
                        x,
                        y + cellH + LABEL - 3);
            }
        } finally {
            g.dispose();
        }
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "clip2latent-java");
        text.put("clip2latent.request", candidates.request().describe());
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < n; i++) {
            list.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", scores[i]));
        }
        text.put("clip2latent.clipScores", list.toString());
        PngFiles.write(file, sheet, text);
    }

    private static void drawLabel(Graphics2D g, String label, int x, int y) {
        try {
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(label, x, y);
        } catch (RuntimeException | Error noFonts) {
            // Headless machines without fontconfig cannot draw text; the scores are in the
            // metadata.
        }
    }
}
