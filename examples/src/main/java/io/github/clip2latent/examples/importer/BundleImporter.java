package io.github.clip2latent.examples.importer;

import com.google.common.hash.Hashing;

import io.github.clip2latent.bundle.BundleWriter;
import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.convert.clip.ClipConfig;
import io.github.clip2latent.convert.clip.ClipGraphWriter;
import io.github.clip2latent.convert.clip.ClipImporter;
import io.github.clip2latent.convert.clip.ClipWeights;
import io.github.clip2latent.convert.prior.PriorCheckpointImporter;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.convert.prior.PriorGraphWriter;
import io.github.clip2latent.convert.read.ConversionException;
import io.github.clip2latent.convert.read.ModuleRecord;
import io.github.clip2latent.convert.read.NetworkPickleReader;
import io.github.clip2latent.convert.stylegan.MappingGraphWriter;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis;
import io.github.clip2latent.convert.stylegan.StyleGan2SynthesisGraphWriter;
import io.github.clip2latent.convert.stylegan.StyleGan3SynthesisGraphWriter;
import io.github.clip2latent.convert.stylegan.StyleGanMapping;
import io.github.clip2latent.convert.stylegan.StyleGanPickles;
import io.github.clip2latent.latent.LatentStats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * From the files the clip2latent authors published (prior checkpoint, NVIDIA StyleGAN pickle,
 * OpenAI CLIP, OpenAI's BPE vocabulary) to one bundle that {@code Clip2Latent.load} opens.
 *
 * <p>Order: every file is read and the parts are checked against each other (prior width =
 * generator w_dim, CLIP embedding width = prior condition width, the generator's own num_ws and
 * image size, CLIP's context and vocabulary against the tokenizer) before anything is written.
 * Then each graph is written, one part at a time (a part's weights are dropped once its graph is
 * on disk), into a hidden work folder next to the output, and {@link BundleWriter} assembles,
 * validates and renames the bundle: a failed or killed import leaves nothing under the output
 * name (only hidden {@code .NAME.import-*} / {@code .NAME.partial-*} siblings after a kill).
 *
 * <p>The manifest's provenance records each source file's name and SHA-256, the prior copy, the
 * synthesis noise default, and the converter version.
 */
public final class BundleImporter {

    /** The BPE vocabulary shipped with the project (OpenAI's file, MIT licence alongside). */
    public static final String SHIPPED_TOKENIZER = "bpe_simple_vocab_16e6.txt.gz";

    /** Byte-level symbols (256, and their end-of-word forms) plus the two special tokens. */
    private static final int VOCABULARY_BASE = 2 * 256 + 2;

    private static final int STEPS = 8;

    private BundleImporter() {}

    /**
     * Imports the files of {@code request} into a new bundle.
     *
     * @param request the files and options
     * @param progress receives each step as it starts
     * @return the written bundle, opened and validated
     * @throws MismatchedPartsException when two files do not fit together (nothing written)
     * @throws ConversionException when a file is not what it should be (nothing written)
     * @throws IOException when reading or writing fails (nothing left under the output name)
     */
    public static ModelBundle importBundle(ImportRequest request, ImportProgress progress)
            throws IOException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(progress, "progress");
        Path output = request.output().toAbsolutePath().normalize();
        checkOutput(output);
        for (Path p : new Path[] {request.prior(), request.stylegan(), request.clip()}) {
            if (!Files.isRegularFile(p)) {
                throw new java.nio.file.NoSuchFileException(
                        p.toString(), null, "no such file (an import input)");
            }
        }

        progress.step(1, STEPS, "reading the StyleGAN pickle " + request.stylegan());
        ModuleRecord generator = NetworkPickleReader.read(request.stylegan()).network("G_ema");
        Generator gen = Generator.of(generator, request.stylegan());

        progress.step(2, STEPS, "reading the prior checkpoint " + request.prior());
        PriorCheckpointImporter.Reading prior =
                PriorCheckpointImporter.read(request.prior(), request.priorCopy());

        progress.step(3, STEPS, "reading CLIP " + request.clip());
        ClipWeights clip = ClipImporter.readWeights(request.clip());

        progress.step(4, STEPS, "checking the parts against each other");
        Path tokenizerWork = null;
        Path work =
                output.resolveSibling(
                        "." + output.getFileName() + ".import-" + UUID.randomUUID());
        try {
            Files.createDirectories(work);
            Path tokenizer = request.tokenizer();
            if (tokenizer == null) {
                tokenizer = work.resolve(SHIPPED_TOKENIZER);
                copyShippedTokenizer(tokenizer);
                tokenizerWork = tokenizer;
            }
            int merges = countMerges(tokenizer);
            checkParts(request, tokenizer, gen, prior.weights().config(), clip.config(), merges);

            String version = converterVersion();
            BundleWriter writer =
                    BundleWriter.to(output)
                            .id(request.id())
                            .description(
                                    "imported from "
                                            + request.prior().getFileName()
                                            + ", "
                                            + request.stylegan().getFileName()
                                            + ", "
                                            + request.clip().getFileName()
                                            + " by clip2latent-java "
                                            + version);

            progress.step(5, STEPS, "hashing the source files (SHA-256)");
            record Source(String role, Path file) {}
            for (Source s :
                    new Source[] {
                        new Source("prior", request.prior()),
                        new Source("stylegan", request.stylegan()),
                        new Source("clip", request.clip()),
                        new Source("tokenizer", tokenizer)
                    }) {
                writer.provenance(
                        "source." + s.role() + ".name",
                        s.role().equals("tokenizer") && tokenizerWork != null
                                ? SHIPPED_TOKENIZER + " (shipped with clip2latent-java)"
                                : s.file().getFileName().toString());
                writer.provenance("source." + s.role() + ".sha256", sha256(s.file()));
            }
            writer.provenance("converter", "clip2latent-java BundleImporter");
            writer.provenance("converter.version", version);
            writer.provenance("prior.copy", request.priorCopy().name().toLowerCase(Locale.ROOT));
            writer.provenance("stylegan.family", gen.family());
            writer.provenance("synthesis.noise", request.noise().manifestName());
            writer.provenance("rerank.normalization", request.normalization().manifestName());

            PriorConfig pc = prior.weights().config();
            progress.step(
                    6,
                    STEPS,
                    String.format(
                            Locale.ROOT,
                            "writing the prior graph (dim %d, depth %d, heads %d x %d)",
                            pc.dim(),
                            pc.depth(),
                            pc.heads(),
                            pc.dimHead()));
            Path priorGraph = work.resolve("prior.onnx");
            PriorGraphWriter.write(
                    prior.weights(),
                    request.prior().getFileName() + " (" + request.priorCopy() + " copy)",
                    priorGraph);
            writer.graph(Stage.PRIOR, priorGraph)
                    .latentStats(new LatentStats(prior.latentMean(), prior.latentStd()))
                    .schedule(pc.timesteps(), prior.schedule());
            prior = null; // the weights may go: the graph is on disk

            ClipConfig cc = clip.config();
            progress.step(
                    7,
                    STEPS,
                    String.format(
                            Locale.ROOT,
                            "writing the CLIP encoders (embedding %d, image %d, vision %d x %d)",
                            cc.embedDim(),
                            cc.imageResolution(),
                            cc.visionLayers(),
                            cc.visionWidth()));
            Path imageGraph = work.resolve("imageEncoder.onnx");
            Path textGraph = work.resolve("textEncoder.onnx");
            String clipName = request.clip().getFileName().toString();
            ClipGraphWriter.writeImageEncoder(clip, clipName, imageGraph);
            ClipGraphWriter.writeTextEncoder(clip, clipName, textGraph);
            writer.graph(Stage.IMAGE_ENCODER, imageGraph)
                    .graph(Stage.TEXT_ENCODER, textGraph)
                    .preprocessing(
                            ImagePreprocessing.clip(cc.imageResolution())
                                    .withMode(request.normalization()))
                    .openAiTokenizer(tokenizer, cc.vocabSize() - VOCABULARY_BASE, cc.contextLength());
            clip = null;

            progress.step(
                    8,
                    STEPS,
                    String.format(
                            Locale.ROOT,
                            "writing the %s mapping and synthesis graphs (%dx%d, %d ws of %d),"
                                    + " then the bundle %s",
                            gen.family(),
                            gen.resolution(),
                            gen.resolution(),
                            gen.numWs(),
                            gen.wDim(),
                            output));
            Path mappingGraph = work.resolve("mapping.onnx");
            Path synthesisGraph = work.resolve("synthesis.onnx");
            String sgName = request.stylegan().getFileName().toString();
            StyleGanMapping mapping =
                    StyleGanPickles.mapping(request.stylegan(), generator.child("mapping"));
            MappingGraphWriter.write(mapping, sgName, mappingGraph);
            Path previewGraph = work.resolve("synthesisPreview.onnx");
            Synthesis written =
                    writeSynthesis(
                            generator,
                            gen,
                            request.stylegan(),
                            synthesisGraph,
                            request.previewSize(),
                            previewGraph);
            generator = null;
            if (written.preview() != null) {
                StyleGan2Synthesis p = written.preview();
                writer.graph(Stage.SYNTHESIS_PREVIEW, previewGraph)
                        .synthesisPreview(
                                p.numWs(),
                                p.resolution(),
                                StyleGan2SynthesisGraphWriter.noiseInputs(p));
            }
            writer.provenance("synthesis.preview", written.previewNote());
            writer.graph(Stage.MAPPING, mappingGraph)
                    .graph(Stage.SYNTHESIS, synthesisGraph)
                    .synthesisNoise(written.noise())
                    .wAvg(mapping.wAvg())
                    .dimensions(
                            gen.wDim(), gen.numWs(), gen.zDim(), cc.embedDim(), gen.resolution());
            return writer.write();
        } finally {
            deleteRecursively(work);
        }
    }

    /** What the checks need of the generator, read from its records. */
    record Generator(
            String family, int zDim, int wDim, int numWs, int resolution, int channels, Path file) {

        static Generator of(ModuleRecord g, Path file) {
            // torch_utils.persistence records bare class names (the module lives in the stored
            // source, never read): tell the families apart by their synthesis networks' parts.
            if (!g.className().equals("Generator") && !g.className().endsWith(".Generator")) {
                throw ConversionException.at(
                        file,
                        "G_ema",
                        "expected a StyleGAN2 or StyleGAN3 Generator, found class "
                                + g.className());
            }
            var parts = g.child("synthesis").children();
            String family;
            if (parts.containsKey("b4")) {
                family = "StyleGAN2";
            } else if (parts.containsKey("input")) {
                family = "StyleGAN3";
            } else {
                throw ConversionException.at(
                        file,
                        "G_ema.synthesis",
                        "expected a StyleGAN2 synthesis (blocks b4, b8, ...) or a StyleGAN3 one"
                                + " (input, L0_..., ...), found the submodules "
                                + parts.keySet());
            }
            ModuleRecord mapping = g.child("mapping");
            ModuleRecord synthesis = g.child("synthesis");
            int wDim = g.intAttribute("w_dim");
            int numWs = synthesis.intAttribute("num_ws");
            int resolution = g.intAttribute("img_resolution");
            int channels = g.intAttribute("img_channels");
            // The generator's parts must agree among themselves before they are compared with
            // the other files.
            requireSame(
                    file,
                    "G_ema.w_dim",
                    wDim,
                    "G_ema.mapping.w_dim",
                    mapping.intAttribute("w_dim"));
            requireSame(
                    file,
                    "G_ema.w_dim",
                    wDim,
                    "G_ema.synthesis.w_dim",
                    synthesis.intAttribute("w_dim"));
            requireSame(
                    file,
                    "G_ema.synthesis.num_ws",
                    numWs,
                    "G_ema.mapping.num_ws",
                    mapping.intAttribute("num_ws"));
            requireSame(
                    file,
                    "G_ema.img_resolution",
                    resolution,
                    "G_ema.synthesis.img_resolution",
                    synthesis.intAttribute("img_resolution"));
            if (channels != 3) {
                throw ConversionException.at(
                        file, "G_ema.img_channels", "expected 3 (RGB), found " + channels);
            }
            if (resolution < 4 || Integer.bitCount(resolution) != 1) {
                throw ConversionException.at(
                        file,
                        "G_ema.img_resolution",
                        "expected a power of two >= 4, found " + resolution);
            }
            return new Generator(
                    family, g.intAttribute("z_dim"), wDim, numWs, resolution, channels, file);
        }

        private static void requireSame(Path file, String a, int va, String b, int vb) {
            if (va != vb) {
                throw ConversionException.at(
                        file,
                        a,
                        a + " is " + va + " but " + b + " is " + vb + " (an inconsistent pickle)");
            }
        }
    }

    /** The cross-file checks; each message names both files and both values. */
    static void checkParts(
            ImportRequest request,
            Path tokenizer,
            Generator gen,
            PriorConfig prior,
            ClipConfig clip,
            int tokenizerMerges) {
        Path priorFile = request.prior();
        Path clipFile = request.clip();
        if (prior.dim() != gen.wDim()) {
            throw new MismatchedPartsException(
                    "the prior and the generator do not fit together: the prior "
                            + priorFile
                            + " samples latents of width "
                            + prior.dim()
                            + " (dim), but the generator "
                            + gen.file()
                            + " takes w of width "
                            + gen.wDim()
                            + " (G_ema.w_dim); import the prior trained for this generator");
        }
        if (clip.embedDim() != prior.dim()) {
            throw new MismatchedPartsException(
                    "CLIP and the prior do not fit together: CLIP "
                            + clipFile
                            + " embeds into width "
                            + clip.embedDim()
                            + " (embed_dim), but the prior "
                            + priorFile
                            + " is conditioned on embeddings of width "
                            + prior.dim()
                            + " (its condition width is its dim); import the CLIP the prior was"
                            + " trained with (ViT-B/32 for the published priors)");
        }
        int needed = clip.vocabSize() - VOCABULARY_BASE;
        if (needed < 1 || tokenizerMerges < needed) {
            throw new MismatchedPartsException(
                    "CLIP and the tokenizer do not fit together: CLIP "
                            + clipFile
                            + " has a vocabulary of "
                            + clip.vocabSize()
                            + " tokens, which "
                            + (needed < 1
                                    ? "is not more than the "
                                            + VOCABULARY_BASE
                                            + " byte-level and special tokens every CLIP BPE"
                                            + " vocabulary starts with"
                                    : "needs " + needed + " BPE merges")
                            + ", but the tokenizer "
                            + tokenizer
                            + " holds "
                            + tokenizerMerges
                            + " merges (OpenAI CLIP: 49408 tokens from the first 48894 merges)");
        }
    }

    /**
     * Writes the synthesis graph; for StyleGAN2 returns its noise inputs (layer name to
     * resolution), which the graph takes as plain inputs and the manifest declares, so the runtime
     * feeds random, zero or (with {@code noise_const_scale} 1) the stored constant noise per
     * request. StyleGAN3 has no noise inputs.
     *
     * <p>Earlier versions baked the constant noise into the graph: the noise inputs had
     * initializers of the same name (ONNX "overridable initializers"), and ONNX Runtime's Java
     * {@code OrtSession} lists only inputs without an initializer ({@code SessionGetInputCount}),
     * so {@code run} refused them ("Unknown input name b4.conv1, expected one of [ws]"). Plain
     * inputs without initializers are what the writer emits; nothing is added here.
     */
    private static Synthesis writeSynthesis(
            ModuleRecord generator,
            Generator gen,
            Path pickle,
            Path file,
            int previewSize,
            Path previewFile)
            throws IOException {
        if (gen.family().equals("StyleGAN3")) {
            StyleGan3SynthesisGraphWriter.write(generator, pickle).write(file);
            return new Synthesis(java.util.Map.of(), null, "none (StyleGAN3)");
        }
        StyleGan2Synthesis synthesis = StyleGanPickles.readStyleGan2(pickle).synthesis();
        String name = pickle.getFileName().toString();
        StyleGan2SynthesisGraphWriter.write(synthesis, name, file);
        java.util.Map<String, Integer> noise = StyleGan2SynthesisGraphWriter.noiseInputs(synthesis);
        int size = Math.min(previewSize, synthesis.resolution() / 2);
        if (previewSize == 0 || size < 4) {
            return new Synthesis(noise, null, "none (not asked for)");
        }
        if (!StyleGan2Preview.supports(synthesis)) {
            return new Synthesis(
                    noise,
                    null,
                    "none (architecture "
                            + synthesis.blocks().get(0).architecture().referenceName()
                            + ", a preview needs skip)");
        }
        StyleGan2Synthesis preview = StyleGan2Preview.truncate(synthesis, size);
        StyleGan2SynthesisGraphWriter.write(
                preview, name + " (preview: blocks up to " + size + ")", previewFile);
        return new Synthesis(noise, preview, Integer.toString(size));
    }

    /**
     * A written synthesis: its noise inputs, the preview network written next to it (or null) and
     * the manifest's note on the preview.
     */
    private record Synthesis(
            java.util.Map<String, Integer> noise, StyleGan2Synthesis preview, String previewNote) {}

    private static void checkOutput(Path output) throws IOException {
        if (Files.isDirectory(output)) {
            try (Stream<Path> entries = Files.list(output)) {
                if (entries.findAny().isPresent()) {
                    throw new java.nio.file.FileAlreadyExistsException(
                            output.toString(), null, "the output folder exists and is not empty");
                }
            }
        } else if (Files.exists(output)) {
            throw new java.nio.file.FileAlreadyExistsException(
                    output.toString(), null, "the output exists and is not a folder");
        }
    }

    /** Merge lines of an OpenAI {@code bpe_simple_vocab_16e6.txt.gz} (all lines but the header). */
    static int countMerges(Path gz) throws IOException {
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(
                                new GZIPInputStream(Files.newInputStream(gz)),
                                StandardCharsets.UTF_8))) {
            String header = r.readLine();
            // OpenAI's first line reads '"bpe_simple_vocab_16e6.txt#version: 0.2'; simple_tokenizer
            // skips it unread.
            if (header == null || !header.contains("#version")) {
                throw ConversionException.at(
                        gz,
                        "line 1",
                        "expected OpenAI's BPE vocabulary header (with '#version: 0.2'), found "
                                + (header == null ? "an empty file" : "'" + header + "'"));
            }
            int n = 0;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isEmpty()) {
                    n++;
                }
            }
            return n;
        } catch (java.util.zip.ZipException e) {
            throw ConversionException.at(
                    gz, "gzip stream", "not a gzip file: " + e.getMessage(), e);
        }
    }

    private static void copyShippedTokenizer(Path target) throws IOException {
        try (InputStream in = BundleImporter.class.getResourceAsStream(SHIPPED_TOKENIZER)) {
            if (in == null) {
                throw new IOException(
                        "the shipped tokenizer resource "
                                + SHIPPED_TOKENIZER
                                + " is missing from the class path (a broken build?)");
            }
            Files.copy(in, target);
        }
    }

    /** The project version this converter was built as (from a Maven-filtered resource). */
    public static String converterVersion() {
        Properties p = new Properties();
        try (InputStream in = BundleImporter.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String v = p.getProperty("version", "");
        return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    }

    static String sha256(Path file) throws IOException {
        return com.google.common.io.Files.asByteSource(file.toFile())
                .hash(Hashing.sha256())
                .toString();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
