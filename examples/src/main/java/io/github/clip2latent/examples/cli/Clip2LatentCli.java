package io.github.clip2latent.examples.cli;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleRequest;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.BundleException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code clip2latent "a small red circle on the left"}: text in, PNG out, with the embedded
 * shapes-world bundle by default or any bundle with {@code --bundle DIR} (e.g. a real FFHQ export).
 */
public final class Clip2LatentCli {

    /** The system property the launcher sets to the embedded bundle's absolute path. */
    public static final String DEFAULT_BUNDLE_PROPERTY = "clip2latent.defaultBundle";

    /** Where the embedded bundle lives in the repository. */
    public static final Path EMBEDDED_BUNDLE = Path.of("examples", "bundles", "shapes-world");

    private Clip2LatentCli() {}

    /** Runs the program; exits with 0 on success, 1 on a failure, 2 on a usage error. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the program with the given streams and returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CliOptions options;
        try {
            options = CliOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("clip2latent: " + e.getMessage());
            return 2;
        }
        if (options.help) {
            out.print(CliOptions.USAGE);
            return 0;
        }
        if (options.prompt.isEmpty()) {
            err.println("clip2latent: no prompt given (see --help)");
            return 2;
        }
        Path bundle = options.bundle != null ? options.bundle : defaultBundle();
        long start = System.nanoTime();
        out.println("loading bundle " + bundle.toAbsolutePath().normalize());
        try (Clip2Latent model = Clip2Latent.load(bundle)) {
            SampleRequest request = request(model, options);
            out.printf(
                    Locale.ROOT,
                    "loaded in %.2f s (%s); sampling %d image(s), %d candidate(s) each, seed %d%n",
                    (System.nanoTime() - start) / 1e9,
                    model.executionProvider(),
                    options.samples,
                    options.candidates,
                    request.seed());
            SampleResult result = model.sample(request);
            List<Path> files = result.save(options.out);
            for (int i = 0; i < files.size(); i++) {
                out.printf(
                        Locale.ROOT,
                        "wrote %s (CLIP score %.3f)%n",
                        files.get(i),
                        result.clipScores()[i]);
            }
            out.println("timings: " + result.timings());
            if (options.contactSheet != null) {
                SampleResult all = model.sample(allCandidates(request));
                ContactSheet.write(all, options.contactSheet);
                out.println(
                        "wrote contact sheet "
                                + options.contactSheet
                                + " ("
                                + all.count()
                                + " candidates)");
            }
            return 0;
        } catch (BundleException e) {
            err.println("clip2latent: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("clip2latent: " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            err.println("clip2latent: " + e.getMessage());
            return 1;
        }
    }

    private static Path defaultBundle() {
        String property = System.getProperty(DEFAULT_BUNDLE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        return Files.isDirectory(EMBEDDED_BUNDLE)
                ? EMBEDDED_BUNDLE
                : EMBEDDED_BUNDLE.toAbsolutePath();
    }

    static SampleRequest request(Clip2Latent model, CliOptions o) {
        SampleRequest.Builder b =
                model.prompt(o.promptText()).samples(o.samples).candidates(o.candidates);
        if (o.guidance != null) {
            b.guidance(o.guidance);
        }
        if (o.truncate != null) {
            b.truncate(o.truncate);
        }
        if (o.steps != null && o.skip != null) {
            throw new IllegalArgumentException("give --steps or --skip, not both");
        }
        if (o.steps != null) {
            b.steps(o.steps);
        }
        if (o.skip != null) {
            b.skip(o.skip);
        }
        if (o.sampler != null) {
            b.sampler(o.sampler);
        }
        if (o.seed != null) {
            b.seed(o.seed);
        }
        if (o.negative != null) {
            b.negativePrompt(o.negative);
        }
        if (o.styleMixLayers != null) {
            b.styleMix(o.styleMixLayers, o.styleMixSeed);
        }
        return b.build();
    }

    /**
     * The candidates of a request as separate images: with the same seed, {@code samples x
     * candidates} samples are exactly the rows re-ranking chose from.
     */
    static SampleRequest allCandidates(SampleRequest r) {
        // The same chunk boundaries in rows, so the random draws are the same.
        int chunkRows = Math.max(1, r.chunkRows() / r.candidates()) * r.candidates();
        return r.toBuilder()
                .samples(Math.multiplyExact(r.samples(), r.candidates()))
                .candidates(1)
                .chunkRows(chunkRows)
                .build();
    }
}
