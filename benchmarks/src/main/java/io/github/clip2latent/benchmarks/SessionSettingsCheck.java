package io.github.clip2latent.benchmarks;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

import io.github.clip2latent.diffusion.StandardNormal;
import io.github.clip2latent.runtime.PriorNetwork;
import io.github.clip2latent.runtime.RuntimeOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@link SessionSettingsBenchmark}'s question answered on a shared machine: every CPU setting gets
 * its own open session of the paper-size prior, and each round calls every session once, in an
 * order rotated per round, so that a change in the machine's load falls on all settings alike
 * (separate JMH forks minutes apart do not have that). Prints the median call time per setting,
 * fastest first.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.clip2latent.benchmarks.SessionSettingsCheck [rounds] [rows] [bundle]
 * </pre>
 *
 * Defaults: 10 rounds after 2 warm-up rounds, 32 rows (batch 16 with both guidance passes).
 */
public final class SessionSettingsCheck {

    private SessionSettingsCheck() {}

    private record Setting(
            RuntimeOptions options,
            PriorSampling prior,
            PriorNetwork.Runner runner,
            double[] millis) {

        String describe() {
            return String.format(
                    Locale.ROOT,
                    "threads %d, %-12s, memory pattern %-5s",
                    options.intraOpThreads(),
                    options.optimizationLevel(),
                    options.memoryPattern());
        }
    }

    /** Runs the comparison. */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        Path bundle = args.length > 2 ? Path.of(args[2]) : BenchmarkData.paperPriorBundle();
        List<Setting> settings = new ArrayList<>();
        try {
            for (int threads : new int[] {1, 2}) {
                for (OptLevel level :
                        new OptLevel[] {
                            OptLevel.BASIC_OPT, OptLevel.EXTENDED_OPT, OptLevel.ALL_OPT
                        }) {
                    for (boolean pattern : new boolean[] {true, false}) {
                        RuntimeOptions options =
                                RuntimeOptions.cpu()
                                        .withIntraOpThreads(threads)
                                        .withOptimizationLevel(level)
                                        .withMemoryPattern(pattern);
                        PriorSampling prior =
                                PriorSampling.open(bundle, options, rows, BenchmarkData.SEED);
                        settings.add(
                                new Setting(
                                        options,
                                        prior,
                                        prior.network().newRunner(),
                                        new double[rounds]));
                    }
                }
            }
            SplittableRandom random = new SplittableRandom(BenchmarkData.SEED);
            int d = settings.get(0).prior().dim();
            float[] xt = StandardNormal.sample(random, rows * d);
            float[] conditions = StandardNormal.sample(random, rows * d);
            long[] timesteps = new long[rows];
            Arrays.fill(timesteps, 500);
            boolean[] keep = new boolean[rows];
            Arrays.fill(keep, 0, Math.max(1, rows / 2), true);
            float[] x0 = new float[rows * d];
            int n = settings.size();
            for (int round = -2; round < rounds; round++) {
                for (int k = 0; k < n; k++) {
                    // Rotate the order, so no setting always follows the same neighbour.
                    Setting s = settings.get((k + Math.floorMod(round, n)) % n);
                    long start = System.nanoTime();
                    s.runner().predictX0(xt, timesteps, conditions, keep, rows, x0);
                    if (round >= 0) {
                        s.millis()[round] = (System.nanoTime() - start) / 1e6;
                    }
                }
            }
            System.out.println(
                    rows + " rows, " + rounds + " rounds, median ms per call, fastest first:");
            settings.stream()
                    .sorted(Comparator.comparingDouble(s -> median(s.millis())))
                    .forEach(
                            s ->
                                    System.out.println(
                                            String.format(
                                                    Locale.ROOT,
                                                    "  %s  %8.1f ms (min %.1f, max %.1f)",
                                                    s.describe(),
                                                    median(s.millis()),
                                                    Arrays.stream(s.millis()).min().orElse(0),
                                                    Arrays.stream(s.millis()).max().orElse(0))));
        } finally {
            for (Setting s : settings) {
                s.runner().close();
                s.prior().close();
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
