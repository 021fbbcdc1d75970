package io.github.clip2latent.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.convert.clip.ClipConfig;
import io.github.clip2latent.convert.clip.ClipGraphWriter;
import io.github.clip2latent.convert.clip.ClipWeights;
import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * CLIP ViT-B/32 at the published size (seeded random weights): this project's ONNX graphs on ONNX
 * Runtime against OpenAI's {@code clip/model.py} on PyTorch, same weights, same thread count, in
 * interleaved rounds (never both at once). Not part of CI: it needs Debian's python3-torch and the
 * pinned CLIP sources ({@code bash /work/shared/fixtures/gen/sources.sh}).
 *
 * <pre>
 * java -Xmx4g -cp benchmarks/target/benchmarks.jar io.github.clip2latent.benchmarks.ClipSpeed [rounds] [threads]
 * </pre>
 *
 * Defaults: 10 rounds after 2 warm-up rounds, 2 threads. Writes the graphs (on every run, so a
 * change of the writer is measured), the weights as .npy (for the Python side) and the inputs
 * (once) under {@code benchmarks/target/bench-data/clip-vitb32} (~1.2 GB, never committed), checks
 * that both sides give the same embeddings, then prints the median times of 16 images at 224 px and
 * of one prompt, and the ratios ONNX Runtime / PyTorch.
 */
public final class ClipSpeed {

    private static final int IMAGES = 16;

    /** {@code clip.tokenize("a photograph of a happy person wearing sunglasses by the sea")}. */
    private static final long[] PROMPT = {
        49406, 320, 8853, 539, 320, 900, 2533, 3309, 12906, 638, 518, 2102, 49407
    };

    private ClipSpeed() {}

    /** Runs the comparison. */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String python = System.getProperty("clip2latent.python", "/usr/bin/python3");
        String clipSrc = System.getProperty("clip2latent.clipSrc", "/tmp/forge/src/clip/clip");
        Path script = locateScript();
        Path dir = BenchmarkData.directory().resolve("clip-vitb32");
        ClipConfig config = ClipConfig.vitB32();
        int r = config.imageResolution();
        prepare(dir, config);

        float[] pixels = Npy.read(dir.resolve("pixels.npy")).data();
        long[] tokens = new long[config.contextLength()];
        System.arraycopy(PROMPT, 0, tokens, 0, PROMPT.length);

        ProcessBuilder pb =
                new ProcessBuilder(
                        python,
                        script.toString(),
                        "--dir",
                        dir.toString(),
                        "--clip-src",
                        clipSrc,
                        "--threads",
                        Integer.toString(threads));
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process py = pb.start();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (BufferedReader in =
                        new BufferedReader(
                                new InputStreamReader(
                                        py.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out =
                        new PrintWriter(py.getOutputStream(), true, StandardCharsets.UTF_8);
                OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            System.out.println("python: " + in.readLine());
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            long t0 = System.nanoTime();
            try (OrtSession image = env.createSession(dir.resolve("image.onnx").toString(), opts);
                    OrtSession text = env.createSession(dir.resolve("text.onnx").toString(), opts);
                    OnnxTensor px =
                            OnnxTensor.createTensor(
                                    env, FloatBuffer.wrap(pixels), new long[] {IMAGES, 3, r, r});
                    OnnxTensor ids =
                            OnnxTensor.createTensor(
                                    env,
                                    LongBuffer.wrap(tokens),
                                    new long[] {1, config.contextLength()})) {
                System.out.printf(
                        Locale.ROOT,
                        "ONNX Runtime sessions opened in %.1f s%n",
                        (System.nanoTime() - t0) / 1e9);
                Map<String, OnnxTensor> imageFeed = Map.of(ClipGraphWriter.INPUT_PIXELS, px);
                Map<String, OnnxTensor> textFeed = Map.of(ClipGraphWriter.INPUT_IDS, ids);

                out.println("check");
                expect(in.readLine(), "ok");
                report(
                        "image embeddings (16 x 512)",
                        runOnce(image, imageFeed),
                        Npy.read(dir.resolve("ref_image_embeds.npy")).data(),
                        config.embedDim());
                report(
                        "text embedding (1 x 512)",
                        runOnce(text, textFeed),
                        Npy.read(dir.resolve("ref_text_embeds.npy")).data(),
                        config.embedDim());

                double[][] times = new double[4][rounds];
                for (int i = -2; i < rounds; i++) {
                    // Alternate which side goes first, so neither always runs on warmer caches.
                    double pi;
                    double oi;
                    double pt;
                    double ot;
                    if ((i & 1) == 0) {
                        pi = ask(out, in, "image");
                        oi = time(image, imageFeed);
                        pt = ask(out, in, "text");
                        ot = time(text, textFeed);
                    } else {
                        oi = time(image, imageFeed);
                        pi = ask(out, in, "image");
                        ot = time(text, textFeed);
                        pt = ask(out, in, "text");
                    }
                    if (i >= 0) {
                        times[0][i] = pi;
                        times[1][i] = oi;
                        times[2][i] = pt;
                        times[3][i] = ot;
                    }
                }
                out.println("quit");
                summarize("16 images at " + r + " px", times[0], times[1]);
                summarize("one prompt", times[2], times[3]);
                System.out.printf(
                        Locale.ROOT,
                        "%d rounds after 2 warm-up rounds, %d threads on both sides%n",
                        rounds,
                        threads);
            }
        } finally {
            py.destroy();
        }
    }

    /**
     * Writes the graphs on every run (so that a change of the writer is what gets measured), the
     * weights for the Python side and the inputs once; later runs reuse those.
     */
    private static void prepare(Path dir, ClipConfig config) throws IOException {
        Files.createDirectories(dir.resolve("weights"));
        long t0 = System.nanoTime();
        ClipWeights weights = ClipWeights.random(config, BenchmarkData.SEED);
        String provenance = "random ViT-B/32 weights, seed " + BenchmarkData.SEED;
        ClipGraphWriter.writeImageEncoder(weights, provenance, dir.resolve("image.onnx"));
        ClipGraphWriter.writeTextEncoder(weights, provenance, dir.resolve("text.onnx"));
        Path done = dir.resolve("complete");
        if (Files.exists(done)) {
            return;
        }
        List<String> names = new ArrayList<>();
        for (NamedTensor t : weights.tensors().values()) {
            Npy.write(
                    dir.resolve("weights").resolve(t.name() + ".npy"),
                    new NpyArray(t.shape(), t.data()));
            names.add(t.name());
        }
        Files.write(dir.resolve("weights").resolve("names.txt"), names);
        int r = config.imageResolution();
        float[] pixels = new float[IMAGES * 3 * r * r];
        SplittableRandom random = new SplittableRandom(BenchmarkData.SEED);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextDouble(-1.8, 2.1); // CLIP-normalized pixel range
        }
        Npy.write(dir.resolve("pixels.npy"), new NpyArray(new long[] {IMAGES, 3, r, r}, pixels));
        long[] tokens = new long[config.contextLength()];
        System.arraycopy(PROMPT, 0, tokens, 0, PROMPT.length);
        float[] asFloat = new float[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            asFloat[i] = tokens[i];
        }
        Npy.write(dir.resolve("tokens.npy"), new NpyArray(new long[] {1, tokens.length}, asFloat));
        Files.writeString(done, "ok\n");
        System.out.printf(
                Locale.ROOT,
                "wrote %s (%d parameters) in %.1f s%n",
                dir,
                weights.parameterCount(),
                (System.nanoTime() - t0) / 1e9);
    }

    private static Path locateScript() {
        String override = System.getProperty("clip2latent.clipScript");
        Path candidate =
                override != null
                        ? Path.of(override)
                        : BenchmarkData.directory()
                                .getParent()
                                .getParent()
                                .resolve("clip_reference.py");
        if (!Files.exists(candidate)) {
            throw new IllegalStateException("cannot find " + candidate);
        }
        return candidate;
    }

    private static float[] runOnce(OrtSession session, Map<String, OnnxTensor> feed)
            throws Exception {
        try (OrtSession.Result result = session.run(feed)) {
            FloatBuffer b = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[b.remaining()];
            b.get(values);
            return values;
        }
    }

    private static double time(OrtSession session, Map<String, OnnxTensor> feed) throws Exception {
        long start = System.nanoTime();
        try (OrtSession.Result result = session.run(feed)) {
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private static double ask(PrintWriter out, BufferedReader in, String cmd) throws IOException {
        out.println(cmd);
        String line = in.readLine();
        if (line == null) {
            throw new IOException("the Python side ended before answering '" + cmd + "'");
        }
        return Double.parseDouble(line.trim());
    }

    private static void expect(String line, String want) throws IOException {
        if (!want.equals(line)) {
            throw new IOException(
                    "the Python side answered '" + line + "', expected '" + want + "'");
        }
    }

    private static void report(String what, float[] actual, float[] expected, int dim) {
        double worst = 0;
        for (int row = 0; row < expected.length / dim; row++) {
            double scale = 0;
            for (int j = 0; j < dim; j++) {
                scale = Math.max(scale, Math.abs(expected[row * dim + j]));
            }
            for (int j = 0; j < dim; j++) {
                worst =
                        Math.max(
                                worst,
                                Math.abs(actual[row * dim + j] - expected[row * dim + j]) / scale);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%s: max |ORT - PyTorch| / max|PyTorch| per row = %.2e%n",
                what,
                worst);
    }

    private static void summarize(String what, double[] torch, double[] ort) {
        double[] ratios = new double[torch.length];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = ort[i] / torch[i];
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        System.out.printf(
                Locale.ROOT,
                "%s: PyTorch median %.1f ms, ONNX Runtime median %.1f ms, ratio of medians %.3f;"
                        + " per-round ratio median %.3f, range %.3f to %.3f%n",
                what,
                median(torch) * 1e3,
                median(ort) * 1e3,
                median(ort) / median(torch),
                median(ratios),
                sorted[0],
                sorted[sorted.length - 1]);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}
