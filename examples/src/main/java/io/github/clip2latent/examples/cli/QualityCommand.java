package io.github.clip2latent.examples.cli;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.examples.shapes.quality.BenchmarkPrompt;
import io.github.clip2latent.examples.shapes.quality.BenchmarkTables;
import io.github.clip2latent.examples.shapes.quality.CompositionalEvaluator;
import io.github.clip2latent.examples.shapes.quality.CompositionalPrompts;
import io.github.clip2latent.examples.shapes.quality.MarkdownTables;
import io.github.clip2latent.examples.shapes.quality.QualityBenchmark;
import io.github.clip2latent.examples.shapes.quality.QualityEvaluator;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code clip2latent quality}: the shapes-world quality benchmarks. Without {@code --set} or {@code
 * --quick-start}, the project set's full report with its sweeps (written to {@code --out}); with
 * {@code --set}, one setting on one set, printed and, with {@code --record}, kept as rows of the
 * tables of a Markdown document (one command per row).
 */
@Command(
        name = "quality",
        mixinStandardHelpOptions = true,
        description = {
            "Measures the shapes-world quality benchmark (attributes confirmed by the ground"
                    + " truth, CLIP score, diversity; sweeps of guidance, steps, sampler and"
                    + " alpha) and writes a Markdown report.",
            "With --set: one setting on the compositional set (issue 13: per-attribute accuracy,"
                    + " all named attributes right, swap rate, binding score, per-kind breakdown)"
                    + " or the project set; --record FILE keeps the figures as table rows.",
            "With --quick-start: the README's quick-start prompt over --seeds seeds with the"
                    + " sample command's defaults, counted right and wrong."
        })
final class QualityCommand implements Callable<Integer> {

    /** The benchmark sets {@code --set} names. */
    enum PromptSet {
        /** Issue 13's compositional set ({@link CompositionalPrompts#standard()}). */
        compositional,
        /** The project's original 50 prompts ({@link CompositionalPrompts#projectSet()}). */
        project,
        /** Sizes and positions in other words ({@link CompositionalPrompts#synonyms()}). */
        synonyms;

        List<BenchmarkPrompt> prompts() {
            return switch (this) {
                case compositional -> CompositionalPrompts.standard();
                case project -> CompositionalPrompts.projectSet();
                case synonyms -> CompositionalPrompts.synonyms();
            };
        }
    }

    @Spec CommandSpec spec;

    @Mixin BundleOption bundle;

    @Mixin RuntimeOption runtime;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            defaultValue = RepositoryPaths.HOME + "/docs/quality.md",
            description = "the report (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(
            names = "--samples",
            paramLabel = "N",
            defaultValue = "4",
            description = "images per prompt and setting (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(
            names = "--alpha",
            paramLabel = "A=DIR",
            converter = AlphaConverter.class,
            description =
                    "a bundle retrained with pseudo-text alpha A, for the alpha table; repeatable")
    List<QualityBenchmark.AlphaBundle> alphas = new ArrayList<>();

    @Option(
            names = "--set",
            paramLabel = "NAME",
            description = "run one setting on a set: ${COMPLETION-CANDIDATES}")
    PromptSet set;

    @Option(
            names = "--quick-start",
            description =
                    "check the README's quick-start prompt over --seeds seeds with the sample"
                            + " command's defaults")
    boolean quickStart;

    @Option(
            names = "--seeds",
            paramLabel = "N",
            defaultValue = "20",
            description = "seeds of the quick-start check, from 0 (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(
            names = "--guidance",
            paramLabel = "S",
            defaultValue = "2",
            description = "with --set: guidance scale (default: ${DEFAULT-VALUE})")
    double guidance;

    @Option(
            names = "--steps",
            paramLabel = "N",
            description =
                    "with --set: consistent respacing with N steps (default: the reference's skip"
                            + " 250, i.e. 4 steps with its noise quirk, as the CLI)")
    Integer steps;

    @Option(
            names = "--skip",
            paramLabel = "K",
            defaultValue = "250",
            description = "with --set: the reference's skip (default: ${DEFAULT-VALUE})")
    int skip;

    @Option(
            names = "--sampler",
            paramLabel = "NAME",
            defaultValue = "DDPM",
            description = "with --set: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    SamplerKind sampler;

    @Option(
            names = "--candidates",
            paramLabel = "K[,K...]",
            split = ",",
            defaultValue = "1,16",
            description =
                    "with --set: best-of-K re-ranking, one run per value (default:"
                            + " ${DEFAULT-VALUE})")
    List<Integer> candidates;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1000",
            description =
                    "with --set: base seed; prompt i uses seed + i (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--record",
            paramLabel = "FILE",
            description =
                    "with --set or --quick-start: add or replace this command's rows in the tables"
                            + " of FILE (e.g. docs/quality.md)")
    Path record;

    @Option(
            names = "--table",
            paramLabel = "NAME",
            defaultValue = BenchmarkTables.RESULTS,
            description =
                    "with --record: the table of the headline figures; the per-kind breakdown"
                            + " goes to NAME-kinds (default: ${DEFAULT-VALUE})")
    String table;

    @Option(
            names = "--run",
            paramLabel = "LABEL",
            description =
                    "with --record: the row's label (default: set, bundle and setting); the"
                            + " candidates are appended")
    String run;

    @Option(
            names = "--retrieval",
            description =
                    "the world CLIP alone as a judge of each attribute: ranks 2,000 random world"
                            + " images for one-attribute prompts")
    boolean retrieval;

    @Option(names = "--list", description = "with --set: print the set's prompts and exit")
    boolean list;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description =
                    "with --set: only the first N prompts of each kind (swap pairs: N halves), for"
                            + " a quick try")
    Integer limit;

    /** The set's prompts, or the first {@code --limit} of each kind. */
    private List<BenchmarkPrompt> prompts() {
        List<BenchmarkPrompt> all = set.prompts();
        if (limit == null) {
            return all;
        }
        java.util.Map<Object, Integer> taken = new java.util.HashMap<>();
        List<BenchmarkPrompt> out = new ArrayList<>();
        for (BenchmarkPrompt p : all) {
            if (taken.merge(p.kind(), 1, Integer::sum) <= limit) {
                out.add(p);
            }
        }
        return out;
    }

    /** Parses {@code A=DIR}. */
    static final class AlphaConverter implements ITypeConverter<QualityBenchmark.AlphaBundle> {
        @Override
        public QualityBenchmark.AlphaBundle convert(String text) {
            String[] parts = text.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException(
                        "needs A=DIR (e.g. 0.5=bundles/a05), got '" + text + "'");
            }
            return new QualityBenchmark.AlphaBundle(parts[0], Path.of(parts[1]));
        }
    }

    @Override
    public Integer call() throws IOException {
        if (set != null || quickStart || retrieval) {
            return single();
        }
        if (samples < 1) {
            throw Checks.usageError(spec, "--samples must be >= 1, got " + samples);
        }
        Path bundleDir = bundle.directory();
        for (QualityBenchmark.AlphaBundle a : alphas) {
            Checks.existingDirectory(spec, "--alpha", a.bundle());
        }
        String command =
                "clip2latent "
                        + String.join(
                                " ", spec.root().commandLine().getParseResult().originalArgs());
        QualityBenchmark.run(
                bundleDir,
                out,
                samples,
                alphas,
                command,
                runtime.options(),
                spec.commandLine().getOut());
        return 0;
    }

    /** {@code --set} and {@code --quick-start}: one setting, printed and optionally recorded. */
    private int single() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        if (set != null && list) {
            for (BenchmarkPrompt p : prompts()) {
                stdout.printf(
                        Locale.ROOT,
                        "%-16s %-3s %s%s%n",
                        p.kind(),
                        p.frame(),
                        p.text(),
                        p.swapPair() >= 0 ? "   (pair " + p.swapPair() + ")" : "");
            }
            return 0;
        }
        if (samples < 1 || seeds < 1 || (limit != null && limit < 1)) {
            throw Checks.usageError(
                    spec,
                    "--samples, --seeds and --limit must be >= 1, got "
                            + samples
                            + ", "
                            + seeds
                            + ", "
                            + limit);
        }
        for (int k : candidates) {
            if (k < 1) {
                throw Checks.usageError(spec, "--candidates must be >= 1, got " + k);
            }
        }
        Path bundleDir = bundle.directory();
        String command =
                "./clip2latent "
                        + String.join(
                                " ", spec.root().commandLine().getParseResult().originalArgs());
        ModelBundle opened = ModelBundle.open(bundleDir);
        String bundleId = opened.manifest().id();
        ShapesWorld world = Checks.usage(spec, () -> QualityBenchmark.worldOf(opened));
        try (Clip2Latent model = Clip2Latent.load(bundleDir, runtime.options())) {
            if (set != null) {
                for (int k : candidates) {
                    measureSet(model, world, bundleId, k, command, stdout);
                }
            }
            if (quickStart) {
                checkQuickStart(model, world, bundleId, command, stdout);
            }
        }
        if (retrieval) {
            stdout.print(QualityBenchmark.retrievalByAttribute(opened, world));
            stdout.flush();
        }
        if (record != null) {
            stdout.println("recorded in " + record);
        }
        return 0;
    }

    /** One run of {@code --set} with {@code k} candidates: printed, and recorded when asked. */
    private void measureSet(
            Clip2Latent model,
            ShapesWorld world,
            String bundleId,
            int k,
            String command,
            PrintWriter stdout)
            throws IOException {
        String label = (run != null ? run : defaultLabel(bundleId)) + candidatesLabel(k);
        QualityEvaluator.Settings settings =
                new QualityEvaluator.Settings(
                        label,
                        guidance,
                        steps == null ? 0 : steps,
                        skip,
                        sampler,
                        k,
                        samples,
                        seed);
        CompositionalEvaluator.Report report =
                CompositionalEvaluator.evaluate(model, world, prompts(), settings);
        stdout.print(BenchmarkTables.summary(report));
        stdout.flush();
        if (record == null) {
            return;
        }
        MarkdownTables.upsert(
                record,
                table,
                BenchmarkTables.resultsHeader(),
                BenchmarkTables.resultsRow(label, set.name(), bundleId, report, command));
        if (set == PromptSet.compositional) {
            MarkdownTables.upsert(
                    record,
                    table + "-kinds",
                    BenchmarkTables.kindsHeader(),
                    BenchmarkTables.kindsRow(label, set.name(), bundleId, report));
        }
    }

    /**
     * The row label of a run without {@code --run}: the set, the bundle and every setting that is
     * not the default, so that runs of different settings never share a row.
     */
    private String defaultLabel(String bundleId) {
        StringBuilder out =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "%s, %s, guidance %s, %s",
                                set,
                                bundleId,
                                trim(guidance),
                                steps != null ? steps + " steps" : "skip " + skip));
        if (sampler != SamplerKind.DDPM) {
            out.append(", ").append(sampler);
        }
        if (samples != 4) {
            out.append(", ").append(samples).append(" per prompt");
        }
        if (seed != 1000) {
            out.append(", seed ").append(seed);
        }
        if (limit != null) {
            out.append(", first ").append(limit).append(" of each kind");
        }
        return out.toString();
    }

    private static String candidatesLabel(int k) {
        return k == 1 ? ", single sample" : ", best of " + k;
    }

    /** {@code --quick-start}: printed, and recorded when asked. */
    private void checkQuickStart(
            Clip2Latent model,
            ShapesWorld world,
            String bundleId,
            String command,
            PrintWriter stdout)
            throws IOException {
        long start = System.nanoTime();
        QuickStartCheck.Outcome outcome =
                QuickStartCheck.run(model, world, QuickStartCheck.PROMPT, 0, seeds);
        String defaults =
                String.format(
                        Locale.ROOT,
                        "%d candidate(s), guidance %s, %s",
                        outcome.candidates(),
                        trim(outcome.guidance()),
                        outcome.steps());
        stdout.printf(
                Locale.ROOT,
                "quick start \"%s\" with the CLI's defaults (%s): %d of %d seeds right; wrong"
                        + " seeds %s (%.1f s)%n",
                outcome.prompt(),
                defaults,
                outcome.rightCount(),
                seeds,
                outcome.wrongSeeds(),
                (System.nanoTime() - start) / 1e9);
        if (record != null) {
            MarkdownTables.upsert(
                    record,
                    "quick-start",
                    List.of(
                            "run",
                            "bundle",
                            "prompt",
                            "CLI defaults",
                            "seeds",
                            "right",
                            "wrong seeds",
                            "command"),
                    List.of(
                            run != null ? run : "quick start, " + bundleId,
                            bundleId,
                            outcome.prompt(),
                            defaults,
                            "0.." + (seeds - 1),
                            outcome.rightCount() + " / " + seeds,
                            outcome.wrongSeeds().toString(),
                            "`" + command + "`"));
        }
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
