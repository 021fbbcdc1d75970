package io.github.clip2latent.examples.cli;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.NormalizationMode;
import io.github.clip2latent.convert.prior.PriorCheckpointImporter;
import io.github.clip2latent.convert.read.ConversionException;
import io.github.clip2latent.examples.importer.BundleImporter;
import io.github.clip2latent.examples.importer.ImportProgress;
import io.github.clip2latent.examples.importer.ImportRequest;
import io.github.clip2latent.examples.importer.SynthesisNoise;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code clip2latent import}: the published files to one bundle, see {@link BundleImporter}. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = {
            "Writes one bundle that Clip2Latent.load(DIR) opens from the files the clip2latent"
                    + " authors published (e.g. ffhq-sg2-510.ckpt, stylegan2-ffhq-1024x1024.pkl,"
                    + " ViT-B-32.pt).",
            "The parts are checked against each other before anything is written; a failed or"
                    + " interrupted import leaves nothing under DIR."
        })
final class ImportCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--prior",
            required = true,
            paramLabel = "FILE",
            description = "clip2latent prior checkpoint (.ckpt)")
    Path prior;

    @Option(
            names = "--stylegan",
            required = true,
            paramLabel = "FILE",
            description = "NVIDIA StyleGAN2 or StyleGAN3 network pickle (its G_ema is used)")
    Path stylegan;

    @Option(
            names = "--clip",
            required = true,
            paramLabel = "FILE",
            description =
                    "CLIP weights: OpenAI TorchScript .pt, torch.save state dict or safetensors")
    Path clip;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "the bundle folder to create (must not exist, or be empty)")
    Path out;

    @Option(
            names = "--tokenizer",
            paramLabel = "FILE",
            description = "OpenAI's bpe_simple_vocab_16e6.txt.gz (default: the copy shipped here)")
    Path tokenizer;

    @Option(
            names = "--prior-copy",
            paramLabel = "COPY",
            defaultValue = "ema",
            converter = CopyConverter.class,
            description =
                    "ema (what the reference samples with) or online (default: ${DEFAULT-VALUE})")
    PriorCheckpointImporter.Copy priorCopy;

    @Option(
            names = "--normalization",
            paramLabel = "MODE",
            defaultValue = "single",
            converter = NormalizationConverter.class,
            description =
                    "CLIP normalization for re-ranking: single, or reference-double (the"
                            + " reference's normalize-clamp-normalize, to reproduce its scores)"
                            + " (default: ${DEFAULT-VALUE})")
    NormalizationMode normalization;

    @Option(
            names = "--noise",
            paramLabel = "MODE",
            defaultValue = "random",
            converter = NoiseConverter.class,
            description =
                    "StyleGAN2 synthesis noise recorded in the manifest's provenance: random (the"
                            + " reference's), const or none (default: ${DEFAULT-VALUE}); a record"
                            + " only: each request chooses its noise ('sample --noise')")
    SynthesisNoise noise;

    @Option(
            names = "--preview-size",
            paramLabel = "P",
            defaultValue = "" + ImportRequest.DEFAULT_PREVIEW_SIZE,
            description =
                    "StyleGAN2 (skip architecture): also write the synthesis stopped at P x P, for"
                            + " 'sample --rerank preview'; at most half the generator's size is"
                            + " used, 0 writes none (default: ${DEFAULT-VALUE})")
    int previewSize;

    @Option(names = "--id", paramLabel = "ID", description = "bundle id (default: DIR's name)")
    String id;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        ImportRequest.Builder b =
                ImportRequest.builder()
                        .prior(prior)
                        .stylegan(stylegan)
                        .clip(clip)
                        .output(out)
                        .priorCopy(priorCopy)
                        .normalization(normalization)
                        .noise(noise);
        Checks.usage(spec, () -> b.previewSize(previewSize));
        if (tokenizer != null) {
            b.tokenizer(tokenizer);
        }
        if (id != null) {
            b.id(id);
        }
        ImportRequest request = Checks.usage(spec, b::build);
        long start = System.nanoTime();
        ModelBundle bundle;
        try {
            bundle = BundleImporter.importBundle(request, ImportProgress.printingTo(stdout));
        } catch (ConversionException e) {
            // A file that is not what it should be: the user's to fix, its message says how.
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        stdout.printf(
                Locale.ROOT,
                "import: wrote %s (%,d MB) in %.1f s%n",
                bundle.directory(),
                folderBytes(bundle.directory()) >> 20,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static long folderBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long sum = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                sum += Files.size(p);
            }
            return sum;
        }
    }

    static final class CopyConverter implements ITypeConverter<PriorCheckpointImporter.Copy> {
        @Override
        public PriorCheckpointImporter.Copy convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "ema" -> PriorCheckpointImporter.Copy.EMA;
                case "online" -> PriorCheckpointImporter.Copy.ONLINE;
                default ->
                        throw new IllegalArgumentException(
                                "expected ema or online, got '" + value + "'");
            };
        }
    }

    static final class NormalizationConverter implements ITypeConverter<NormalizationMode> {
        @Override
        public NormalizationMode convert(String value) {
            return Arrays.stream(NormalizationMode.values())
                    .filter(m -> m.manifestName().equals(value))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalArgumentException(
                                            "expected single or reference-double, got '"
                                                    + value
                                                    + "'"));
        }
    }

    static final class NoiseConverter implements ITypeConverter<SynthesisNoise> {
        @Override
        public SynthesisNoise convert(String value) {
            return Arrays.stream(SynthesisNoise.values())
                    .filter(n -> n.manifestName().equals(value))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalArgumentException(
                                            "expected random, const or none, got '" + value + "'"));
        }
    }
}
