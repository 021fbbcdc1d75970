package io.github.clip2latent.examples.cli;

import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.latent.LayerRange;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The parsed command line of {@link Clip2LatentCli}. Parsing reports the first bad argument with
 * its value; numeric ranges are checked by the request builder, which names the value too.
 */
final class CliOptions {

    static final String USAGE =
            """
            Usage: clip2latent [options] "prompt"

            Draws images for a text prompt with a clip2latent bundle and writes PNGs.

            Options:
              --bundle DIR         the model bundle (default: the embedded shapes-world bundle)
              --out FILE           output PNG; several images become FILE-0.png, FILE-1.png, ... (default: out.png)
              --samples N          images to draw (default 1)
              --candidates K       draw K candidates per image and keep the best by CLIP score (default 1; the paper uses 16)
              --guidance S         classifier-free guidance scale (default 2)
              --truncate PSI       truncation towards the mean latent, in [0, 1] (default 1 = none)
              --steps N            sampling steps with a consistent respacing (any N from 1 to 1000)
              --skip K             the reference's respacing range(0, 1000, K) (default 250 = 4 steps)
              --sampler NAME       ddpm (default, the reference) or ddim
              --seed N             random seed (default: drawn and printed)
              --negative TEXT      a prompt to steer away from
              --style-mix A:B:SEED replace synthesis layers [A, B) with those of a random latent from SEED
              --contact-sheet FILE also write a grid of all candidates with their CLIP scores
              --help               this text
            """;

    Path bundle;
    Path out = Path.of("out.png");
    int samples = 1;
    int candidates = 1;
    Double guidance;
    Double truncate;
    Integer steps;
    Integer skip;
    SamplerKind sampler;
    Long seed;
    String negative;
    LayerRange styleMixLayers;
    long styleMixSeed;
    Path contactSheet;
    boolean help;
    final List<String> prompt = new ArrayList<>();

    static CliOptions parse(String[] args) {
        CliOptions o = new CliOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> o.help = true;
                case "--bundle" -> o.bundle = Path.of(value(args, ++i, arg));
                case "--out" -> o.out = Path.of(value(args, ++i, arg));
                case "--samples" -> o.samples = integer(args, ++i, arg);
                case "--candidates" -> o.candidates = integer(args, ++i, arg);
                case "--guidance" -> o.guidance = decimal(args, ++i, arg);
                case "--truncate" -> o.truncate = decimal(args, ++i, arg);
                case "--steps" -> o.steps = integer(args, ++i, arg);
                case "--skip" -> o.skip = integer(args, ++i, arg);
                case "--sampler" -> o.sampler = sampler(value(args, ++i, arg));
                case "--seed" -> o.seed = longValue(args, ++i, arg);
                case "--negative" -> o.negative = value(args, ++i, arg);
                case "--style-mix" -> o.styleMix(value(args, ++i, arg));
                case "--contact-sheet" -> o.contactSheet = Path.of(value(args, ++i, arg));
                default -> {
                    if (arg.startsWith("--")) {
                        throw new IllegalArgumentException(
                                "unknown option " + arg + " (see --help)");
                    }
                    o.prompt.add(arg);
                }
            }
        }
        return o;
    }

    String promptText() {
        return String.join(" ", prompt);
    }

    private void styleMix(String text) {
        String[] parts = text.split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException(
                    "--style-mix needs A:B:SEED (e.g. 2:4:7), got '" + text + "'");
        }
        try {
            styleMixLayers = new LayerRange(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            styleMixSeed = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--style-mix needs A:B:SEED (e.g. 2:4:7), got '" + text + "'", e);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value (see --help)");
        }
        return args[i];
    }

    private static int integer(String[] args, int i, String option) {
        String text = value(args, i, option);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    option + " needs a whole number, got '" + text + "'", e);
        }
    }

    private static long longValue(String[] args, int i, String option) {
        String text = value(args, i, option);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    option + " needs a whole number, got '" + text + "'", e);
        }
    }

    private static double decimal(String[] args, int i, String option) {
        String text = value(args, i, option);
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + text + "'", e);
        }
    }

    private static SamplerKind sampler(String text) {
        try {
            return SamplerKind.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--sampler must be ddpm or ddim, got '" + text + "'", e);
        }
    }
}
