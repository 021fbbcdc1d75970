package io.github.clip2latent.benchmarks;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import io.github.clip2latent.diffusion.StandardNormal;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times a StyleGAN2 or StyleGAN3 synthesis graph written by this project's writers ({@link
 * StyleGanGraphWrite}) in ONNX Runtime: file size, session load time, time per image at the given
 * batch sizes (median of the timed rounds after one warm-up run, random noise drawn per run as the
 * reference's default mode) and the process's peak resident memory (VmHWM). Besides wall time it
 * reports the process's CPU time per image, the steadier figure on a machine shared with other
 * work.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.clip2latent.benchmarks.StyleGanSynthesisSpeed \
 *     synthesis.onnx [threads=2] [rounds=5] [batches=1,4]
 * </pre>
 *
 * One line per batch size starts with {@code RESULT} for scripts ({@code
 * benchmarks/stylegan-speed.sh} interleaves it with the PyTorch reference).
 */
public final class StyleGanSynthesisSpeed {

    private StyleGanSynthesisSpeed() {}

    /** Runs the measurement; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: StyleGanSynthesisSpeed synthesis.onnx [threads] [rounds] [batches]");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int[] batches =
                Arrays.stream((args.length > 3 ? args[3] : "1,4").split(","))
                        .mapToInt(Integer::parseInt)
                        .toArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.printf(Locale.ROOT, "file %s: %.1f MB%n", model, Files.size(model) / 1e6);
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            // Threads sleep rather than spin between operators, as PyTorch with
            // OMP_WAIT_POLICY=PASSIVE: on a busy machine spinning burns the shared cores.
            opts.addConfigEntry("session.intra_op.allow_spinning", "0");
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            String profile = System.getenv("ORT_PROFILE");
            if (profile != null) {
                // ONNX Runtime's per-node profile (JSON) for finding the slow operators.
                opts.enableProfiling(profile);
            }
            long t0 = System.nanoTime();
            try (OrtSession session = env.createSession(model.toString(), opts)) {
                double loadS = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "load %.2f s, threads %d%n", loadS, threads);
                SplittableRandom random = new SplittableRandom(1);
                com.sun.management.OperatingSystemMXBean cpu =
                        (com.sun.management.OperatingSystemMXBean)
                                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
                for (int batch : batches) {
                    double[] perImage = new double[rounds];
                    double[] cpuPerImage = new double[rounds];
                    for (int r = -1; r < rounds; r++) {
                        Map<String, OnnxTensor> feed = feed(env, session, batch, random);
                        try {
                            long s = System.nanoTime();
                            long c = cpu.getProcessCpuTime();
                            try (OrtSession.Result out = session.run(feed)) {
                                if (r >= 0) {
                                    perImage[r] = (System.nanoTime() - s) / 1e9 / batch;
                                    cpuPerImage[r] = (cpu.getProcessCpuTime() - c) / 1e9 / batch;
                                }
                            }
                        } finally {
                            feed.values().forEach(OnnxTensor::close);
                        }
                    }
                    Arrays.sort(perImage);
                    Arrays.sort(cpuPerImage);
                    System.out.printf(
                            Locale.ROOT,
                            "RESULT onnxruntime batch %d: median %.3f s per image (min %.3f, max %.3f,"
                                    + " %d rounds), cpu %.3f s per image%n",
                            batch,
                            perImage[rounds / 2],
                            perImage[0],
                            perImage[rounds - 1],
                            rounds,
                            cpuPerImage[rounds / 2]);
                }
            }
        }
        System.out.println("peak RSS (VmHWM) " + peakRss());
    }

    private static Map<String, OnnxTensor> feed(
            OrtEnvironment env, OrtSession session, int batch, SplittableRandom random)
            throws Exception {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape().clone();
            if (!e.getKey().equals("noise_const_scale")) {
                shape[0] = batch; // the batch axis; the constant-noise weight is [1]
            }
            int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] values = new float[n];
            if (!e.getKey().equals("noise_const_scale")) {
                // ws and the noise inputs get normal draws (noise_mode='random'); the stored
                // constant noise gets weight 0.
                StandardNormal.fill(random, values, 0, n);
            }
            feed.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape));
        }
        return feed;
    }

    private static String peakRss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return line.substring(6).trim();
            }
        }
        return "unknown";
    }
}
