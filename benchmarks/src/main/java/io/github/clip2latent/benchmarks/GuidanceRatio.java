package io.github.clip2latent.benchmarks;

import io.github.clip2latent.diffusion.ClassifierFreeGuidance.Batching;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.schedule.SamplingPlan;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The guidance ratio, batched over one-after-the-other, measured in pairs: each round runs one
 * {@code BATCHED} and one {@code SEQUENTIAL} sampling call back to back (the order alternating), so
 * a change in the machine's load hits both sides of a pair alike. Separate JMH runs of the two
 * modes, minutes apart on a shared machine, gave ratios from 0.52 to 1.29. Target: at most 0.7 at
 * batch 16.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.clip2latent.benchmarks.GuidanceRatio [rounds] [batch] [steps] [bundle]
 * </pre>
 *
 * Defaults: 10 rounds (after 2 warm-up rounds), batch 16, 4 steps, the paper-size random prior.
 * Prints the median time of each mode, the ratio of the medians and the median and range of the
 * per-round ratios.
 */
public final class GuidanceRatio {

    private GuidanceRatio() {}

    /** Runs the measurement. */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path bundle = args.length > 3 ? Path.of(args[3]) : BenchmarkData.paperPriorBundle();
        try (PriorSampling prior =
                PriorSampling.open(bundle, RuntimeOptions.defaults(), batch, BenchmarkData.SEED)) {
            SamplingPlan plan = prior.plan(steps);
            for (int i = 0; i < 2; i++) {
                time(prior, plan, Batching.BATCHED);
                time(prior, plan, Batching.SEQUENTIAL);
            }
            double[] batched = new double[rounds];
            double[] sequential = new double[rounds];
            double[] ratios = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                // Alternate which mode goes first, so neither always runs on the warmer caches.
                if (i % 2 == 0) {
                    batched[i] = time(prior, plan, Batching.BATCHED);
                    sequential[i] = time(prior, plan, Batching.SEQUENTIAL);
                } else {
                    sequential[i] = time(prior, plan, Batching.SEQUENTIAL);
                    batched[i] = time(prior, plan, Batching.BATCHED);
                }
                ratios[i] = batched[i] / sequential[i];
            }
            double b = median(batched);
            double s = median(sequential);
            double[] sorted = ratios.clone();
            Arrays.sort(sorted);
            System.out.println(
                    String.format(
                            Locale.ROOT,
                            "batch %d, %d steps, %d rounds: BATCHED median %.1f ms, SEQUENTIAL"
                                + " median %.1f ms, ratio of medians %.3f; per-round ratio median"
                                + " %.3f, range %.3f to %.3f",
                            batch,
                            steps,
                            rounds,
                            b,
                            s,
                            b / s,
                            median(ratios),
                            sorted[0],
                            sorted[rounds - 1]));
        }
    }

    private static double time(PriorSampling prior, SamplingPlan plan, Batching batching) {
        long start = System.nanoTime();
        prior.sample(plan, batching);
        return (System.nanoTime() - start) / 1e6;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
