package io.github.clip2latent.examples.cli;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SynthesisNoise;
import io.github.clip2latent.RerankMode;
import io.github.clip2latent.SampleRequest;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.latent.LayerRange;
import io.github.clip2latent.tokenizer.TruncationPolicy;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code clip2latent sample "a small red circle on the left"}: text in, PNG out, with the embedded
 * shapes-world bundle by default or any bundle with {@code --bundle DIR}. Every value is checked
 * before the bundle is loaded.
 */
@Command(
        name = SampleCommand.NAME,
        mixinStandardHelpOptions = true,
        description = {
            "Draws images for a text prompt with a clip2latent bundle and writes PNGs.",
            "The default command: 'clip2latent \"a red circle\"' is 'clip2latent sample \"a red"
                    + " circle\"'."
        })
final class SampleCommand implements Callable<Integer> {

    static final String NAME = "sample";

    @Spec CommandSpec spec;

    @Mixin BundleOption bundle;

    @Mixin SamplingOptions sampling;

    @Mixin RuntimeOption runtime;

    @Parameters(
            arity = "1..*",
            paramLabel = "PROMPT",
            description = "the prompt; several words are joined with spaces")
    List<String> prompt;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            defaultValue = "out.png",
            description =
                    "output PNG, relative to the current folder; several images become FILE-0.png,"
                            + " FILE-1.png, ... (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(
            names = "--samples",
            paramLabel = "N",
            defaultValue = "1",
            description = "images to draw (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(
            names = "--candidates",
            paramLabel = "K",
            defaultValue = "8",
            description =
                    "draw K candidates per image and keep the best by CLIP score; the paper uses 16;"
                            + " on the shapes world 8 gets nearly all of 16's gain (docs/quality.md)"
                            + " (default: ${DEFAULT-VALUE})")
    int candidates;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "random seed (default: drawn and printed)")
    Long seed;

    @Option(names = "--negative", paramLabel = "TEXT", description = "a prompt to steer away from")
    String negative;

    @Option(
            names = "--style-mix",
            paramLabel = "A:B:SEED",
            converter = StyleMixConverter.class,
            description = "replace synthesis layers [A, B) with those of a random latent from SEED")
    StyleMixOption styleMix;

    @Option(
            names = "--contact-sheet",
            paramLabel = "FILE",
            description = "also write a grid of all candidates with their CLIP scores")
    Path contactSheet;

    @Option(
            names = "--prompt-truncation",
            paramLabel = "POLICY",
            defaultValue = "TRUNCATE",
            description =
                    "a prompt longer than the text encoder's context: TRUNCATE keeps the start"
                            + " that fits, as clip.tokenize(truncate=True), and warns on stderr;"
                            + " ERROR stops (default: ${DEFAULT-VALUE})")
    TruncationPolicy promptTruncation;

    @Option(
            names = "--noise",
            paramLabel = "MODE",
            defaultValue = "random",
            description =
                    "StyleGAN2 synthesis noise: random (fresh draws from the seed, the"
                            + " reference's), const (the generator's stored noise, the same for"
                            + " every image) or none; generators without noise ignore it"
                            + " (default: ${DEFAULT-VALUE})")
    SynthesisNoise noise;

    @Option(
            names = "--rerank",
            paramLabel = "MODE",
            defaultValue = "full",
            description =
                    "how --candidates are ranked: full (every candidate rendered at full size) or"
                            + " preview (ranked on the bundle's low-resolution preview synthesis,"
                            + " only the winner rendered at full size; imported StyleGAN2 bundles)"
                            + " (default: ${DEFAULT-VALUE})")
    RerankMode rerank;

    /** A parsed {@code --style-mix A:B:SEED}. */
    record StyleMixOption(LayerRange layers, long seed) {}

    /** Parses {@code A:B:SEED}; picocli reports a failure as a usage error naming the option. */
    static final class StyleMixConverter implements ITypeConverter<StyleMixOption> {
        @Override
        public StyleMixOption convert(String text) {
            String[] parts = text.split(":");
            try {
                if (parts.length == 3) {
                    return new StyleMixOption(
                            new LayerRange(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])),
                            Long.parseLong(parts[2]));
                }
            } catch (IllegalArgumentException e) {
                // Falls through to the message below; LayerRange names a bad range itself.
                throw new IllegalArgumentException(
                        "needs A:B:SEED with A < B (e.g. 2:4:7), got '" + text + "'", e);
            }
            throw new IllegalArgumentException("needs A:B:SEED (e.g. 2:4:7), got '" + text + "'");
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        String text = String.join(" ", prompt);
        // Every value checked before the bundle is loaded.
        Checks.usage(spec, () -> configure(SampleRequest.builder().prompt(text)).build());
        Path bundleDir = bundle.directory();
        long start = System.nanoTime();
        stdout.println("loading bundle " + bundleDir.toAbsolutePath().normalize());
        try (Clip2Latent model = Clip2Latent.load(bundleDir, runtime.options())) {
            SampleRequest request =
                    Checks.usage(
                            spec,
                            () ->
                                    configure(model.prompt(text))
                                            .promptTruncation(promptTruncation)
                                            .build());
            PrintWriter stderr = spec.commandLine().getErr();
            if (!request.prompts().get(0).equals(text)) {
                stderr.println(
                        "warning: prompt longer than the text encoder's context, truncated to: \""
                                + request.prompts().get(0)
                                + "\"");
            }
            stdout.printf(
                    Locale.ROOT,
                    "loaded in %.2f s (%s); sampling %d image(s), %d candidate(s) each, seed %d%n",
                    (System.nanoTime() - start) / 1e9,
                    model.executionProvider(),
                    samples,
                    candidates,
                    request.seed());
            // A too-long prompt is found by the tokenizer at sampling time: a usage error too.
            SampleResult result = Checks.usage(spec, () -> model.sample(request));
            for (String warning : result.warnings()) {
                stderr.println("warning: " + warning);
            }
            stderr.flush();
            List<Path> files = result.save(out);
            for (int i = 0; i < files.size(); i++) {
                stdout.printf(
                        Locale.ROOT,
                        "wrote %s (CLIP score %.3f)%n",
                        files.get(i),
                        result.clipScores()[i]);
            }
            if (request.candidates() > 1) {
                stdout.println(
                        "ranked "
                                + request.candidates()
                                + " candidates per image on "
                                + (result.rankedBy() == RerankMode.PREVIEW
                                        ? "previews ("
                                                + model.bundle()
                                                        .manifest()
                                                        .stage(Stage.SYNTHESIS_PREVIEW)
                                                        .outputs()
                                                        .get(0)
                                                        .dim(2)
                                                + " px)"
                                        : "full-size images"));
            }
            stdout.println("timings: " + result.timings());
            if (contactSheet != null) {
                SampleResult all = model.sample(allCandidates(request));
                ContactSheet.write(all, contactSheet);
                stdout.println(
                        "wrote contact sheet "
                                + contactSheet
                                + " ("
                                + all.count()
                                + " candidates)");
            }
        }
        return 0;
    }

    /** The request of this command line: the sampling options and its own. */
    SampleRequest.Builder configure(SampleRequest.Builder b) {
        sampling.applyTo(b).samples(samples).candidates(candidates).noise(noise).rerank(rerank);
        if (seed != null) {
            b.seed(seed);
        }
        if (negative != null) {
            b.negativePrompt(negative);
        }
        if (styleMix != null) {
            b.styleMix(styleMix.layers(), styleMix.seed());
        }
        return b;
    }

    /**
     * The candidates of a request as separate images: with the same seed, {@code samples x
     * candidates} samples are exactly the rows re-ranking chose from.
     */
    static SampleRequest allCandidates(SampleRequest r) {
        // The same chunk boundaries in rows, so the random draws are the same.
        int chunkRows = Math.max(1, r.chunkRows() / r.candidates()) * r.candidates();
        // The prompts were already cut to fit when r was built, so ERROR never fires; TRUNCATE
        // would need a builder bound to the model.
        return r.toBuilder()
                .promptTruncation(TruncationPolicy.ERROR)
                .samples(Math.multiplyExact(r.samples(), r.candidates()))
                .candidates(1)
                .chunkRows(chunkRows)
                .build();
    }
}
