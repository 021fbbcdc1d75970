package io.github.clip2latent.benchmarks;

import io.github.clip2latent.diffusion.ClassifierFreeGuidance;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.schedule.SamplingPlan;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Measures the share of a prior sampling call spent outside ONNX Runtime: the whole call (runner,
 * guidance, x_T, sampler loop) is timed, and so is the time inside the prior's runner, through a
 * {@link TimedDenoiser}. Target: at most 5% outside at the paper's size.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.clip2latent.benchmarks.OnnxShare [calls] [batches] [steps] [bundle]
 * </pre>
 *
 * Each configuration (default batches {@code 1,16} and steps {@code 4,50}, guidance 2 batched) is
 * run {@code calls} times to warm up, then {@code calls} times (default 5) timed; the totals of the
 * timed calls are reported.
 */
public final class OnnxShare {

    private OnnxShare() {}

    /** Runs the measurement and prints one line per configuration. */
    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int[] batches = ints(args.length > 1 ? args[1] : "1,16");
        int[] stepCounts = ints(args.length > 2 ? args[2] : "4,50");
        Path bundle = args.length > 3 ? Path.of(args[3]) : BenchmarkData.paperPriorBundle();
        System.out.println(
                "bundle "
                        + bundle
                        + ", "
                        + calls
                        + " timed calls each, guidance "
                        + PriorSampling.GUIDANCE
                        + " batched");
        System.out.println("batch steps   call ms   inside ms  outside ms  outside %");
        for (int batch : batches) {
            try (PriorSampling prior =
                    PriorSampling.open(
                            bundle, RuntimeOptions.defaults(), batch, BenchmarkData.SEED)) {
                for (int steps : stepCounts) {
                    SamplingPlan plan = prior.plan(steps);
                    TimedDenoiser[] timed = new TimedDenoiser[1];
                    for (int i = 0; i < calls; i++) {
                        prior.sample(
                                plan,
                                ClassifierFreeGuidance.Batching.BATCHED,
                                r -> timed[0] = new TimedDenoiser(r));
                    }
                    long total = 0;
                    long inside = 0;
                    for (int i = 0; i < calls; i++) {
                        long start = System.nanoTime();
                        prior.sample(
                                plan,
                                ClassifierFreeGuidance.Batching.BATCHED,
                                r -> timed[0] = new TimedDenoiser(r));
                        total += System.nanoTime() - start;
                        inside += timed[0].nanos();
                    }
                    double perCall = total / 1e6 / calls;
                    double insidePerCall = inside / 1e6 / calls;
                    System.out.println(
                            String.format(
                                    Locale.ROOT,
                                    "%5d %5d %9.2f %11.2f %11.3f %9.2f",
                                    batch,
                                    steps,
                                    perCall,
                                    insidePerCall,
                                    perCall - insidePerCall,
                                    100.0 * (total - inside) / total));
                }
            }
        }
    }

    private static int[] ints(String csv) {
        return java.util.Arrays.stream(csv.split(","))
                .mapToInt(v -> Integer.parseInt(v.trim()))
                .toArray();
    }
}
