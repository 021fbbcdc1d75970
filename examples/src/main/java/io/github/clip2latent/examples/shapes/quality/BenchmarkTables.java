package io.github.clip2latent.examples.shapes.quality;

import io.github.clip2latent.examples.shapes.CaptionAttribute;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rows and the console summary of a {@link CompositionalEvaluator.Report}: one row per command
 * in the tables of docs/quality.md ({@link MarkdownTables}).
 */
public final class BenchmarkTables {

    private BenchmarkTables() {}

    /** The table of headline figures: one row per set, bundle and setting. */
    public static final String RESULTS = "results";

    /** The prompt kinds of the compositional set, the columns of the per-kind table. */
    public static final List<PromptKind> COMPOSITIONAL_KINDS =
            List.of(
                    PromptKind.BOTH_COLORS,
                    PromptKind.BACKGROUND_ONLY,
                    PromptKind.OBJECT_ONLY,
                    PromptKind.SWAP_PAIR);

    /**
     * The columns of the headline table.
     *
     * @return the header cells
     */
    public static List<String> resultsHeader() {
        List<String> out =
                new ArrayList<>(
                        List.of(
                                "run",
                                "set",
                                "bundle",
                                "guidance",
                                "steps",
                                "candidates",
                                "images",
                                "accuracy",
                                "all right"));
        for (CaptionAttribute a : CaptionAttribute.values()) {
            out.add(a.name().toLowerCase(Locale.ROOT));
        }
        out.addAll(List.of("swap rate", "binding score", "world-CLIP score", "seconds", "command"));
        return out;
    }

    /**
     * A row of the headline table.
     *
     * @param run the row's key
     * @param set the set's name
     * @param bundle the bundle's id
     * @param r the report
     * @param command the command line that made it
     * @return the cells
     */
    public static List<String> resultsRow(
            String run,
            String set,
            String bundle,
            CompositionalEvaluator.Report r,
            String command) {
        List<String> out =
                new ArrayList<>(
                        List.of(
                                run,
                                set,
                                bundle,
                                fmt(r.settings().guidance(), "%.1f"),
                                r.settings().stepsLabel(),
                                Integer.toString(r.settings().candidates()),
                                Integer.toString(r.overall().images()),
                                fmt(r.overall().accuracy(), "%.3f"),
                                fmt(r.overall().allRight(), "%.3f")));
        for (CaptionAttribute a : CaptionAttribute.values()) {
            Double v = r.perAttribute().get(a);
            out.add(v == null ? "-" : fmt(v, "%.3f"));
        }
        out.add(fmt(r.swapRate(), "%.3f"));
        out.add(fmt(r.bindingScore(), "%.3f"));
        out.add(fmt(r.clipScore(), "%.3f"));
        out.add(fmt(r.seconds(), "%.1f"));
        out.add("`" + command + "`");
        return out;
    }

    /**
     * The columns of the per-kind table of the compositional set.
     *
     * @return the header cells
     */
    public static List<String> kindsHeader() {
        List<String> out = new ArrayList<>(List.of("run", "set", "bundle", "candidates"));
        for (PromptKind kind : COMPOSITIONAL_KINDS) {
            out.add(kind.label() + ": all right (images)");
        }
        out.add("held-out color-shape pairs: all right (images)");
        return out;
    }

    /**
     * A row of the per-kind table.
     *
     * @param run the row's key
     * @param set the set's name
     * @param bundle the bundle's id
     * @param r the report
     * @return the cells
     */
    public static List<String> kindsRow(
            String run, String set, String bundle, CompositionalEvaluator.Report r) {
        List<String> out =
                new ArrayList<>(
                        List.of(run, set, bundle, Integer.toString(r.settings().candidates())));
        for (PromptKind kind : COMPOSITIONAL_KINDS) {
            CompositionalEvaluator.Score s = r.perKind().get(kind);
            out.add(s == null ? "-" : cell(s));
        }
        out.add(r.heldOut().images() == 0 ? "-" : cell(r.heldOut()));
        return out;
    }

    /**
     * A few lines for the console.
     *
     * @param r the report
     * @return the summary, ending in a line break
     */
    public static String summary(CompositionalEvaluator.Report r) {
        StringBuilder out = new StringBuilder();
        QualityEvaluator.Settings s = r.settings();
        out.append(
                String.format(
                        Locale.ROOT,
                        "%s: guidance %.1f, steps %s, %s, %d candidate(s), %d prompts x %d"
                                + " samples, seeds %d..%d%n",
                        s.label(),
                        s.guidance(),
                        s.stepsLabel(),
                        s.sampler(),
                        s.candidates(),
                        r.prompts(),
                        s.samplesPerPrompt(),
                        s.seed(),
                        s.seed() + r.prompts() - 1));
        out.append(
                String.format(
                        Locale.ROOT,
                        "  accuracy %.3f, all named attributes right %.3f, world-CLIP %.3f"
                                + " (%.1f s)%n",
                        r.overall().accuracy(),
                        r.overall().allRight(),
                        r.clipScore(),
                        r.seconds()));
        out.append("  per attribute:");
        r.perAttribute()
                .forEach(
                        (a, v) ->
                                out.append(
                                        String.format(
                                                Locale.ROOT,
                                                " %s %.3f",
                                                a.name().toLowerCase(Locale.ROOT),
                                                v)));
        out.append('\n');
        out.append(
                String.format(
                        Locale.ROOT,
                        "  swap rate %.3f of %d images naming both colors; binding score %.3f,"
                                + " swap rate within the swap pairs %.3f%n",
                        r.swapRate(),
                        r.bothColorsImages(),
                        r.bindingScore(),
                        r.pairSwapRate()));
        r.perKind()
                .forEach(
                        (k, v) ->
                                out.append(
                                        String.format(
                                                Locale.ROOT,
                                                "  %-40s all right %s, accuracy %.3f%n",
                                                k.label(),
                                                cell(v),
                                                v.accuracy())));
        if (r.heldOut().images() > 0) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "  %-40s all right %s%n",
                            "held-out color-shape pairs",
                            cell(r.heldOut())));
        }
        return out.toString();
    }

    private static String cell(CompositionalEvaluator.Score s) {
        return String.format(Locale.ROOT, "%.3f (%d)", s.allRight(), s.images());
    }

    private static String fmt(double v, String format) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    }
}
