package io.github.clip2latent.examples.cli;

import io.github.clip2latent.examples.shapes.quality.QualityBenchmark;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code clip2latent quality}: the shapes-world quality benchmark and its Markdown report. */
@Command(
        name = "quality",
        mixinStandardHelpOptions = true,
        description =
                "Measures the shapes-world quality benchmark (attributes confirmed by the ground"
                        + " truth, CLIP score, diversity; sweeps of guidance, steps, sampler and"
                        + " alpha) and writes a Markdown report.")
final class QualityCommand implements Callable<Integer> {

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
}
