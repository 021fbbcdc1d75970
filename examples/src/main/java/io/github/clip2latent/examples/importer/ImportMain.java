package io.github.clip2latent.examples.importer;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.NormalizationMode;
import io.github.clip2latent.convert.prior.PriorCheckpointImporter;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code import}: the published files to one bundle. A thin command line over {@link
 * BundleImporter} until the project's one command line takes it as a subcommand. Exit codes: 0
 * done, 1 the import failed (message on stderr), 2 wrong usage.
 */
public final class ImportMain {

    static final String USAGE =
            """
            Usage: clip2latent import --prior FILE --stylegan FILE --clip FILE --out DIR
                                      [--tokenizer FILE] [--prior-copy ema|online]
                                      [--normalization single|reference-double]
                                      [--noise random|const|none] [--id ID]
            Writes one bundle that Clip2Latent.load(DIR) opens, from the files the clip2latent
            authors published (e.g. ffhq-sg2-510.ckpt, stylegan2-ffhq-1024x1024.pkl, ViT-B-32.pt).
              --prior FILE          clip2latent prior checkpoint (.ckpt)
              --stylegan FILE       NVIDIA StyleGAN2 or StyleGAN3 network pickle (G_ema is used)
              --clip FILE           CLIP weights: OpenAI TorchScript .pt, state dict or safetensors
              --out DIR             the bundle folder to create (must not exist, or be empty)
              --tokenizer FILE      OpenAI bpe_simple_vocab_16e6.txt.gz (default: the shipped copy)
              --prior-copy C        ema (default: what the reference samples with) or online
              --normalization M     CLIP normalization for re-ranking: single (default) or
                                    reference-double (the reference's normalize-clamp-normalize)
              --noise N             StyleGAN2 synthesis noise default: random (default), const, none
              --id ID               bundle id (default: the folder name)
              -h, --help            this text
            The parts are checked against each other before anything is written; a failed or
            interrupted import leaves nothing under DIR.
            """;

    private ImportMain() {}

    /** Runs the command and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        ImportRequest request;
        try {
            request = parse(args);
        } catch (HelpRequested e) {
            out.print(USAGE);
            return 0;
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("clip2latent import: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            long start = System.nanoTime();
            ModelBundle bundle = BundleImporter.importBundle(request, ImportProgress.printingTo(out));
            out.printf(
                    Locale.ROOT,
                    "wrote %s (%,d MB) in %.1f s%n",
                    bundle.directory(),
                    folderBytes(bundle.directory()) >> 20,
                    (System.nanoTime() - start) / 1e9);
            return 0;
        } catch (Exception e) {
            err.println("clip2latent import failed: " + e.getMessage());
            return 1;
        }
    }

    private static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    static ImportRequest parse(String[] args) {
        ImportRequest.Builder b = ImportRequest.builder();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new HelpRequested();
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value (or is unknown)");
            }
            String v = args[++i];
            switch (a) {
                case "--prior" -> b.prior(Path.of(v));
                case "--stylegan" -> b.stylegan(Path.of(v));
                case "--clip" -> b.clip(Path.of(v));
                case "--tokenizer" -> b.tokenizer(Path.of(v));
                case "--out" -> b.output(Path.of(v));
                case "--id" -> b.id(v);
                case "--prior-copy" ->
                        b.priorCopy(
                                switch (v) {
                                    case "ema" -> PriorCheckpointImporter.Copy.EMA;
                                    case "online" -> PriorCheckpointImporter.Copy.ONLINE;
                                    default ->
                                            throw new IllegalArgumentException(
                                                    "--prior-copy must be ema or online, got " + v);
                                });
                case "--normalization" -> {
                    NormalizationMode mode = null;
                    for (NormalizationMode m : NormalizationMode.values()) {
                        if (m.manifestName().equals(v)) {
                            mode = m;
                        }
                    }
                    if (mode == null) {
                        throw new IllegalArgumentException(
                                "--normalization must be single or reference-double, got " + v);
                    }
                    b.normalization(mode);
                }
                case "--noise" -> {
                    SynthesisNoise noise = null;
                    for (SynthesisNoise n : SynthesisNoise.values()) {
                        if (n.manifestName().equals(v)) {
                            noise = n;
                        }
                    }
                    if (noise == null) {
                        throw new IllegalArgumentException(
                                "--noise must be random, const or none, got " + v);
                    }
                    b.noise(noise);
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return b.build();
    }

    private static long folderBytes(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            p -> {
                                try {
                                    return Files.size(p);
                                } catch (java.io.IOException e) {
                                    return 0;
                                }
                            })
                    .sum();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
