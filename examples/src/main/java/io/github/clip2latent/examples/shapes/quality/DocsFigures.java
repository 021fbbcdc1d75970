package io.github.clip2latent.examples.shapes.quality;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.files.AtomicFiles;
import io.github.clip2latent.latent.EditDirection;
import io.github.clip2latent.runtime.RuntimeOptions;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * Draws the pictures of {@code docs/}: prompts with the embedded bundle, truncation, style mixing
 * and an edit direction found from two prompts.
 *
 * <p>Run it with {@code ./clip2latent figures}.
 */
public final class DocsFigures {

    private static final int CELL = 96;
    private static final int LABEL = 14;

    private DocsFigures() {}

    /**
     * Writes the figures.
     *
     * @param bundle the bundle to draw with
     * @param out the folder of the PNG files
     * @param runtime how ONNX Runtime runs the bundle
     * @param progress receives the closing line
     */
    public static void write(Path bundle, Path out, RuntimeOptions runtime, PrintWriter progress)
            throws IOException {
        try (Clip2Latent model = Clip2Latent.load(bundle, runtime)) {
            prompts(model, out.resolve("prompts.png"));
            truncation(model, out.resolve("truncation.png"));
            styleMixing(model, out.resolve("style-mixing.png"));
            edit(model, out.resolve("edit-red-blue.png"));
        }
        progress.println("wrote figures to " + out);
    }

    private static void prompts(Clip2Latent model, Path file) throws IOException {
        String[] prompts = {
            "a red circle",
            "a small blue square on the left",
            "a green triangle",
            "a large yellow triangle at the bottom on a black background",
            "a purple triangle",
            "a white circle on a blue background",
            "an orange square at the top",
            "a small black circle"
        };
        List<List<BufferedImage>> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String p : prompts) {
            rows.add(model.prompt(p).samples(4).candidates(16).seed(1).sample().images());
            labels.add(p);
        }
        write(file, rows, labels);
    }

    private static void truncation(Clip2Latent model, Path file) throws IOException {
        List<List<BufferedImage>> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (double psi : new double[] {1, 0.75, 0.5, 0.25, 0}) {
            rows.add(model.prompt("a shape").samples(6).seed(3).truncate(psi).sample().images());
            labels.add("\"a shape\", truncate " + psi);
        }
        write(file, rows, labels);
    }

    private static void styleMixing(Clip2Latent model, Path file) throws IOException {
        List<List<BufferedImage>> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        rows.add(model.prompt("a circle").samples(6).seed(4).sample().images());
        labels.add("\"a circle\"");
        for (long mix = 1; mix <= 3; mix++) {
            rows.add(
                    model.prompt("a circle")
                            .samples(6)
                            .seed(4)
                            .styleMix(ShapesWorld.FINE_LAYERS, mix)
                            .sample()
                            .images());
            labels.add("fine layers 2-3 from random latent " + mix);
        }
        write(file, rows, labels);
    }

    private static void edit(Clip2Latent model, Path file) throws IOException {
        EditDirection redness = model.direction("a red shape", "a blue shape", 32, 3);
        List<List<BufferedImage>> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (double strength : new double[] {0, 0.75, 1.5}) {
            SampleResult r =
                    model.prompt("a blue square")
                            .samples(6)
                            .candidates(4)
                            .seed(21)
                            .edit(redness, strength, ShapesWorld.FINE_LAYERS)
                            .sample();
            rows.add(r.images());
            labels.add("\"a blue square\" + " + strength + " x (red - blue), fine layers");
        }
        write(file, rows, labels);
    }

    private static void write(Path file, List<List<BufferedImage>> rows, List<String> labels)
            throws IOException {
        int columns = rows.stream().mapToInt(List::size).max().orElse(1);
        BufferedImage sheet =
                new BufferedImage(
                        columns * (CELL + 2),
                        rows.size() * (CELL + LABEL + 2),
                        BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            for (int r = 0; r < rows.size(); r++) {
                int y = r * (CELL + LABEL + 2);
                try {
                    g.setColor(Color.BLACK);
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                    g.drawString(labels.get(r), 2, y + LABEL - 3);
                } catch (RuntimeException | Error noFonts) {
                    // no fonts on this machine: the rows stay unlabelled
                }
                for (int c = 0; c < rows.get(r).size(); c++) {
                    g.drawImage(rows.get(r).get(c), c * (CELL + 2), y + LABEL, CELL, CELL, null);
                }
            }
        } finally {
            g.dispose();
        }
        AtomicFiles.write(file, out -> ImageIO.write(sheet, "png", out));
    }
}
