package io.github.clip2latent.examples.shapes.quality;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.CaptionAttribute;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.files.AtomicFiles;
import io.github.clip2latent.runtime.RuntimeOptions;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shapes-world quality benchmark: the fraction of named attributes the ground truth confirms
 * for a single sample and for the best of 16 by CLIP re-ranking, the world-CLIP score, the
 * diversity of what a prompt leaves unnamed, and sweeps of guidance, steps, sampler and (with
 * retrained bundles) pseudo-text alpha. Writes a Markdown report.
 *
 * <p>Run it with {@code ./clip2latent quality}.
 */
public final class QualityBenchmark {

    /**
     * Where the hand-kept part of the report starts: everything from this line on (the tables of
     * single benchmark commands, see {@link MarkdownTables}) is kept when the report is rewritten.
     */
    public static final String KEPT_MARKER = "<!-- kept when the report above is regenerated -->";

    private QualityBenchmark() {}

    /**
     * A bundle retrained with another pseudo-text noise strength, for the alpha table.
     *
     * @param alpha the label, e.g. {@code "0.5"}
     * @param bundle the bundle folder
     */
    public record AlphaBundle(String alpha, Path bundle) {}

    /**
     * Runs the benchmark and writes the Markdown report.
     *
     * @param bundleDir the bundle to measure
     * @param out the report file (written atomically)
     * @param samples images per prompt and setting
     * @param alphaBundles retrained bundles for the alpha table (may be empty)
     * @param command the command line, quoted in the report
     * @param runtime how ONNX Runtime runs the bundles
     * @param progress receives one line per measured setting
     */
    public static void run(
            Path bundleDir,
            Path out,
            int samples,
            List<AlphaBundle> alphaBundles,
            String command,
            RuntimeOptions runtime,
            PrintWriter progress)
            throws IOException {
        List<Caption> prompts = BenchmarkPrompts.captions();
        StringBuilder md = new StringBuilder();
        md.append("# Shapes-world quality benchmark\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "Measured %s on %s (%d cores), %d prompts (%d of them name a color-shape"
                            + " pair the world CLIP never saw), %d images per prompt and setting,"
                            + " seeds fixed. Command: `%s` (see the README for the full line).%n%n",
                        LocalDate.now(),
                        cpuName(),
                        Runtime.getRuntime().availableProcessors(),
                        prompts.size(),
                        prompts.stream().filter(BenchmarkPrompts::namesHeldOutPair).count(),
                        samples,
                        command));
        md.append(
                "Accuracy is the fraction of the attributes a prompt names (shape, size, color,"
                    + " position, background) that the ground truth of the sampled latent confirms;"
                    + " \"all correct\" is the share of images with every named attribute right;"
                    + " diversity is the normalized entropy of the shape, color and background a"
                    + " prompt leaves unnamed (1 = as varied as the sample count allows).\n\n");
        ModelBundle bundle = ModelBundle.open(bundleDir);
        ShapesWorld world = worldOf(bundle);
        try (Clip2Latent model = Clip2Latent.load(bundleDir, runtime)) {
            QualityEvaluator.Settings base = QualityEvaluator.Settings.reference(1, samples);
            List<QualityEvaluator.Report> headline =
                    List.of(
                            run(model, world, prompts, base.labelled("single sample"), progress),
                            run(
                                    model,
                                    world,
                                    prompts,
                                    QualityEvaluator.Settings.reference(16, samples)
                                            .labelled("best of 16"),
                                    progress));
            md.append("## Guidance 2, 4 steps (the reference's skip 250), DDPM\n\n");
            table(md, headline, true);
            List<QualityEvaluator.Report> heldOut = new ArrayList<>();
            List<Caption> unseen =
                    prompts.stream().filter(BenchmarkPrompts::namesHeldOutPair).toList();
            heldOut.add(
                    run(
                            model,
                            world,
                            unseen,
                            base.labelled("single sample, unseen pairs only"),
                            progress));
            heldOut.add(
                    run(
                            model,
                            world,
                            unseen,
                            QualityEvaluator.Settings.reference(16, samples)
                                    .labelled("best of 16, unseen pairs only"),
                            progress));
            md.append(
                    "\n"
                            + "### Only the prompts with a color-shape pair the world CLIP never"
                            + " read\n\n");
            table(md, heldOut, false);

            md.append("\n## Guidance sweep (single sample, 4 steps)\n\n");
            List<QualityEvaluator.Report> guidance = new ArrayList<>();
            for (double g : new double[] {1, 2, 3, 5}) {
                guidance.add(
                        run(
                                model,
                                world,
                                prompts,
                                base.withGuidance(g).labelled("guidance " + g),
                                progress));
            }
            table(md, guidance, false);

            md.append("\n## Steps sweep (single sample, guidance 2, DDPM)\n\n");
            List<QualityEvaluator.Report> steps = new ArrayList<>();
            steps.add(
                    run(
                            model,
                            world,
                            prompts,
                            base.labelled("4 (reference skip 250, quirk noise)"),
                            progress));
            for (int n : new int[] {10, 50, 1000}) {
                steps.add(
                        run(
                                model,
                                world,
                                prompts,
                                base.withSteps(n).labelled(n + " (consistent)"),
                                progress));
            }
            table(md, steps, false);

            md.append("\n## Sampler (single sample, guidance 2)\n\n");
            List<QualityEvaluator.Report> samplers = new ArrayList<>();
            samplers.add(
                    run(
                            model,
                            world,
                            prompts,
                            base.labelled("DDPM, reference skip 250"),
                            progress));
            samplers.add(
                    run(
                            model,
                            world,
                            prompts,
                            base.withSteps(4)
                                    .withSampler(SamplerKind.DDIM)
                                    .labelled("DDIM, 4 steps"),
                            progress));
            samplers.add(
                    run(
                            model,
                            world,
                            prompts,
                            base.withSteps(50)
                                    .withSampler(SamplerKind.DDIM)
                                    .labelled("DDIM, 50 steps"),
                            progress));
            table(md, samplers, false);
        }
        md.append("\n## The world CLIP as a judge (retrieval)\n\n");
        String retrieval = clipRetrieval(bundle, world, prompts);
        progress.print(retrieval);
        md.append(retrieval);
        if (!alphaBundles.isEmpty()) {
            md.append(
                    "\n"
                        + "## Pseudo-text noise alpha (retrained priors, single sample, guidance 2,"
                        + " 4 steps)\n\n");
            List<QualityEvaluator.Report> alphas = new ArrayList<>();
            for (AlphaBundle entry : alphaBundles) {
                try (Clip2Latent model = Clip2Latent.load(entry.bundle(), runtime)) {
                    alphas.add(
                            run(
                                    model,
                                    worldOf(ModelBundle.open(entry.bundle())),
                                    prompts,
                                    QualityEvaluator.Settings.reference(1, samples)
                                            .labelled("alpha " + entry.alpha()),
                                    progress));
                }
            }
            table(md, alphas, false);
        }
        if (java.nio.file.Files.exists(out)) {
            String previous = java.nio.file.Files.readString(out);
            int kept = previous.indexOf(KEPT_MARKER);
            if (kept >= 0) {
                md.append('\n').append(previous.substring(kept));
            }
        }
        AtomicFiles.writeString(out, md.toString());
        progress.println("wrote " + out);
    }

    private static QualityEvaluator.Report run(
            Clip2Latent model,
            ShapesWorld world,
            List<Caption> prompts,
            QualityEvaluator.Settings settings,
            PrintWriter progress) {
        QualityEvaluator.Report report = QualityEvaluator.evaluate(model, world, prompts, settings);
        progress.printf(
                Locale.ROOT,
                "%-40s accuracy %.3f, all correct %.3f, CLIP %.3f, diversity %.3f (%.1f s)%n",
                settings.label(),
                report.accuracy(),
                report.allCorrect(),
                report.clipScore(),
                report.unnamedDiversity(),
                report.seconds());
        return report;
    }

    /**
     * For each prompt, ranks 2,000 random world images by the world CLIP's cosine to the prompt and
     * scores the top image and the top 16 against the ground truth, next to random images: how good
     * a judge the CLIP is for re-ranking, independent of the prior.
     */
    static String clipRetrieval(ModelBundle bundle, ShapesWorld world, List<Caption> prompts)
            throws IOException {
        int n = 2000;
        float[] z = ShapesWorld.sampleZ(new java.util.SplittableRandom(99), n);
        float[] ws =
                io.github.clip2latent.latent.LayeredLatents.broadcast(
                        world.map(z, n), n, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
        float[] pixels = world.render(ws, n);
        io.github.clip2latent.runtime.SessionFactory sessions =
                new io.github.clip2latent.runtime.SessionFactory(RuntimeOptions.cpu());
        double top1 = 0;
        double top16 = 0;
        double random = 0;
        try (io.github.clip2latent.runtime.TextEncoder text =
                        io.github.clip2latent.runtime.TextEncoder.open(bundle, sessions);
                io.github.clip2latent.runtime.ImageEncoder images =
                        io.github.clip2latent.runtime.ImageEncoder.open(bundle, sessions)) {
            int c = images.embeddingDim();
            float[] embeddings =
                    images.encode(pixels, n, ShapesWorld.IMAGE_SIZE, ShapesWorld.IMAGE_SIZE);
            for (Caption caption : prompts) {
                float[] query = text.encode(List.of(caption.text()));
                Integer[] order = new Integer[n];
                double[] score = new double[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                    score[i] =
                            io.github.clip2latent.conditioning.Similarity.cosine(
                                    embeddings, i * c, query, 0, c);
                }
                java.util.Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
                top1 += caption.check(world.attributes(ws, order[0])).fraction();
                for (int k = 0; k < 16; k++) {
                    top16 += caption.check(world.attributes(ws, order[k])).fraction() / 16;
                }
                for (int k = 0; k < 200; k++) {
                    random += caption.check(world.attributes(ws, k)).fraction() / 200;
                }
            }
        }
        int p = prompts.size();
        String line =
                String.format(
                        Locale.ROOT,
                        "Named attributes confirmed among 2,000 random world images ranked by the"
                            + " world CLIP: top image %.3f, mean of the top 16 %.3f, random images"
                            + " %.3f.%n",
                        top1 / p,
                        top16 / p,
                        random / p);
        return line;
    }

    /**
     * The world CLIP as a judge of each attribute alone: {@link #clipRetrieval} on the prompts
     * naming one shape, one size, one object color, one position or one background color each.
     *
     * @param bundle the bundle
     * @param world its world
     * @return one line per attribute, e.g. {@code "shape: Named attributes confirmed ..."}
     * @throws IOException when the bundle's encoders cannot be read
     */
    public static String retrievalByAttribute(ModelBundle bundle, ShapesWorld world)
            throws IOException {
        java.util.Map<String, List<Caption>> groups = new java.util.LinkedHashMap<>();
        groups.put("shape", new ArrayList<>());
        groups.put("size", new ArrayList<>());
        groups.put("color", new ArrayList<>());
        groups.put("position", new ArrayList<>());
        groups.put("background", new ArrayList<>());
        for (io.github.clip2latent.examples.shapes.Shape s :
                io.github.clip2latent.examples.shapes.Shape.values()) {
            groups.get("shape").add(Caption.of(s, null, null, null, null));
        }
        for (io.github.clip2latent.examples.shapes.SizeClass s :
                io.github.clip2latent.examples.shapes.SizeClass.values()) {
            groups.get("size").add(Caption.of(null, s, null, null, null));
        }
        for (io.github.clip2latent.examples.shapes.PaletteColor c :
                io.github.clip2latent.examples.shapes.PaletteColor.values()) {
            groups.get("color").add(Caption.of(null, null, c, null, null));
            groups.get("background").add(Caption.of(null, null, null, null, c));
        }
        for (io.github.clip2latent.examples.shapes.Position p :
                io.github.clip2latent.examples.shapes.Position.values()) {
            groups.get("position").add(Caption.of(null, null, null, p, null));
        }
        StringBuilder out = new StringBuilder();
        for (java.util.Map.Entry<String, List<Caption>> g : groups.entrySet()) {
            out.append(g.getKey()).append(": ").append(clipRetrieval(bundle, world, g.getValue()));
        }
        return out.toString();
    }

    /**
     * The world of a bundle built by the shapes-world builder, from its provenance.
     *
     * @param bundle the opened bundle
     * @return its world, the ground truth of its images
     * @throws IllegalArgumentException when the bundle has no {@code shapes.worldSeed}
     */
    public static ShapesWorld worldOf(ModelBundle bundle) {
        String seed = bundle.manifest().provenance().get("shapes.worldSeed");
        if (seed == null) {
            throw new IllegalArgumentException(
                    "bundle "
                            + bundle.directory()
                            + " was not made by the shapes-world builder (no shapes.worldSeed in"
                            + " its provenance)");
        }
        return ShapesWorld.create(Long.parseLong(seed));
    }

    private static void table(
            StringBuilder md, List<QualityEvaluator.Report> reports, boolean perAttribute) {
        md.append("| setting | steps | accuracy | all correct |");
        if (perAttribute) {
            for (CaptionAttribute a : CaptionAttribute.values()) {
                md.append(' ').append(a.name().toLowerCase(Locale.ROOT)).append(" |");
            }
        }
        md.append(" world-CLIP score | unnamed diversity | images | seconds |\n|---|---|---|---|");
        if (perAttribute) {
            md.append("---|".repeat(CaptionAttribute.values().length));
        }
        md.append("---|---|---|---|\n");
        for (QualityEvaluator.Report r : reports) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %.3f | %.3f |",
                            r.settings().label(),
                            r.settings().stepsLabel(),
                            r.accuracy(),
                            r.allCorrect()));
            if (perAttribute) {
                for (CaptionAttribute a : CaptionAttribute.values()) {
                    Double v = r.perAttribute().get(a);
                    md.append(v == null ? " - |" : String.format(Locale.ROOT, " %.3f |", v));
                }
            }
            md.append(
                    String.format(
                            Locale.ROOT,
                            " %.3f | %.3f | %d | %.1f |%n",
                            r.clipScore(),
                            r.unnamedDiversity(),
                            r.images(),
                            r.seconds()));
        }
    }

    private static String cpuName() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }
}
