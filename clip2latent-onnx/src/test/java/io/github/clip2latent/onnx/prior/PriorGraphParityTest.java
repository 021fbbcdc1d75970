package io.github.clip2latent.onnx.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.onnx.OrtTestSupport;
import io.github.clip2latent.onnx.OrtTestSupport.FloatOutput;
import io.github.clip2latent.onnx.OrtTestSupport.Input;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The ONNX graph run by ONNX Runtime against the float64 {@link PriorReferenceForward}.
 *
 * <p>Error measure: {@code max_k |onnx_k - ref_k| / max(1, |ref_k|)} over every output value, i.e.
 * absolute error for values below 1 and relative error above; the bound is 1e-4.
 */
class PriorGraphParityTest {

    private static final double TOLERANCE = 1e-4;

    @TempDir Path dir;

    static Stream<Arguments> sizes() {
        return Stream.of(
                // dim, depth, heads, dimHead, timesteps, batch, keepPattern (0 all dropped, 1 all
                // kept, 2 mixed)
                Arguments.of(16, 1, 2, 8, 10, 1, 1),
                Arguments.of(16, 1, 2, 8, 10, 1, 0),
                Arguments.of(32, 2, 4, 16, 50, 7, 2),
                Arguments.of(32, 2, 4, 16, 50, 7, 1),
                // dimHead 64: rotary width 32 covers only half of each head.
                Arguments.of(48, 2, 3, 64, 1000, 7, 2),
                Arguments.of(48, 2, 3, 64, 1000, 1, 0));
    }

    @ParameterizedTest(name = "dim {0} depth {1} heads {2} dimHead {3} T {4} batch {5} keep {6}")
    @MethodSource("sizes")
    void onnxMatchesReference(
            int dim, int depth, int heads, int dimHead, int timesteps, int batch, int keepPattern)
            throws Exception {
        PriorConfig config = new PriorConfig(dim, depth, heads, dimHead, timesteps);
        PriorWeights weights = PriorWeights.random(config, 1234 + dim + depth);
        Path file = dir.resolve("prior.onnx");
        PriorGraphWriter.write(weights, "test", file);

        SplittableRandom random = new SplittableRandom(99 + batch);
        float[] xt = gaussianLike(random, batch * dim);
        float[] cond = gaussianLike(random, batch * dim);
        long[] t = new long[batch];
        float[] keep = new float[batch];
        for (int b = 0; b < batch; b++) {
            t[b] = random.nextInt(timesteps);
            keep[b] = keepPattern == 2 ? (b % 2) : keepPattern;
        }
        t[0] = timesteps - 1; // the last table row

        float[] onnx = runPrior(file, xt, t, cond, keep, batch, dim).data();
        double[][] ref = PriorReferenceForward.forward(weights, xt, t, cond, keep, batch);
        double err = maxError(onnx, ref);
        assertTrue(err <= TOLERANCE, "max error " + err + " > " + TOLERANCE);
    }

    /** The published size (48.8 M parameters, 195 MB graph); run with -Pslow. */
    @Test
    @Tag("slow")
    void paperSizeMatchesReference() throws Exception {
        PriorWeights weights = PriorWeights.random(PriorConfig.paper(), 2022);
        Path file = dir.resolve("prior-paper.onnx");
        PriorGraphWriter.write(weights, "test", file);
        SplittableRandom random = new SplittableRandom(1);
        int batch = 2;
        float[] xt = gaussianLike(random, batch * 512);
        float[] cond = gaussianLike(random, batch * 512);
        long[] t = {999, 250};
        float[] keep = {1, 0};
        float[] onnx = runPrior(file, xt, t, cond, keep, batch, 512).data();
        double err =
                maxError(onnx, PriorReferenceForward.forward(weights, xt, t, cond, keep, batch));
        assertTrue(err <= TOLERANCE, "max error " + err + " > " + TOLERANCE);
    }

    @Test
    void droppingTheConditionChangesTheOutputAndHidesItsValue() throws Exception {
        PriorConfig config = new PriorConfig(32, 2, 4, 16, 50);
        PriorWeights weights = PriorWeights.random(config, 7);
        Path file = dir.resolve("prior.onnx");
        PriorGraphWriter.write(weights, "test", file);
        SplittableRandom random = new SplittableRandom(5);
        int batch = 3;
        float[] xt = gaussianLike(random, batch * 32);
        float[] condA = gaussianLike(random, batch * 32);
        float[] condB = gaussianLike(random, batch * 32);
        long[] t = {0, 17, 49};

        float[] keptA = runPrior(file, xt, t, condA, new float[] {1, 1, 1}, batch, 32).data();
        float[] droppedA = runPrior(file, xt, t, condA, new float[] {0, 0, 0}, batch, 32).data();
        float[] droppedB = runPrior(file, xt, t, condB, new float[] {0, 0, 0}, batch, 32).data();
        float[] keptB = runPrior(file, xt, t, condB, new float[] {1, 1, 1}, batch, 32).data();

        assertTrue(maxAbsDiff(keptA, droppedA) > 1e-3, "dropping the condition must change x0");
        assertTrue(maxAbsDiff(keptA, keptB) > 1e-3, "a kept condition must matter");
        assertArrayEquals(droppedA, droppedB, "with keep = 0 the condition value must not matter");
    }

    @Test
    void outputShapeFollowsTheBatch() throws Exception {
        PriorConfig config = new PriorConfig(16, 1, 2, 8, 10);
        Path file = dir.resolve("prior.onnx");
        PriorGraphWriter.write(PriorWeights.random(config, 1), "test", file);
        FloatOutput out =
                runPrior(
                        file,
                        new float[5 * 16],
                        new long[5],
                        new float[5 * 16],
                        new float[5],
                        5,
                        16);
        assertArrayEquals(new long[] {5, 16}, out.shape());
    }

    static FloatOutput runPrior(
            Path file, float[] xt, long[] t, float[] cond, float[] keep, int batch, int dim)
            throws Exception {
        return OrtTestSupport.run(
                file,
                PriorGraphWriter.OUTPUT_X0,
                Input.floats(PriorGraphWriter.INPUT_X_T, xt, batch, dim),
                Input.longs(PriorGraphWriter.INPUT_T, t, batch),
                Input.floats(PriorGraphWriter.INPUT_CONDITION, cond, batch, dim),
                Input.floats(PriorGraphWriter.INPUT_KEEP, keep, batch));
    }

    static float[] gaussianLike(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // Sum of three uniforms: roughly normal, unit variance, deterministic.
            x[i] =
                    (float)
                            (random.nextDouble(-1, 1)
                                    + random.nextDouble(-1, 1)
                                    + random.nextDouble(-1, 1));
        }
        return x;
    }

    static double maxError(float[] actual, double[][] expected) {
        int dim = expected[0].length;
        assertEquals(expected.length * dim, actual.length);
        double err = 0;
        for (int b = 0; b < expected.length; b++) {
            for (int k = 0; k < dim; k++) {
                double e = expected[b][k];
                err = Math.max(err, Math.abs(actual[b * dim + k] - e) / Math.max(1.0, Math.abs(e)));
            }
        }
        return err;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
