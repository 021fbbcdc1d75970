package io.github.clip2latent.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.fixtures.PriorReferenceForward;
import io.github.clip2latent.convert.prior.PriorWeights;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

class TrainablePriorTest {

    @Test
    void publishedConfigHasTheReferenceParameterCount() {
        assertEquals(48_767_872L, PriorConfig.paper().parameterCount());
    }

    @Test
    void configRejectsOddHeadWidthWithTheValue() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> new PriorConfig(16, 2, 2, 7, 10));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
    }

    @Test
    void forwardMatchesFloat64ReferenceKeptAndDropped() {
        // dimHead 8 rotates every dimension; dimHead 36 exercises the pass-through beyond 32.
        checkAgainstReference(new PriorConfig(16, 2, 2, 8, 10), 11L);
        checkAgainstReference(new PriorConfig(12, 1, 3, 36, 5), 12L);
    }

    private static void checkAgainstReference(PriorConfig config, long seed) {
        TrainablePrior net = TrainablePrior.create(config, seed);
        // Perturb the gains so LayerNorm gamma and the ordering of weights matter.
        Map<String, float[]> weights = new LinkedHashMap<>(net.weights());
        SplittableRandom random = new SplittableRandom(seed + 100);
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            if (e.getKey().endsWith("gamma")) {
                float[] g = e.getValue();
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) (0.5 + random.nextDouble());
                }
            }
        }
        net.loadWeights(weights);
        assertEquals(weights.keySet(), net.weights().keySet());

        int batch = 3;
        int d = config.dim();
        float[] xt = gaussian(random, batch * d);
        float[] cond = gaussian(random, batch * d);
        int[] t = {0, config.timesteps() - 1, config.timesteps() / 2};
        float[] keep = {1f, 0f, 1f};
        float[] out = net.predict(xt, t, cond, keep);

        double[][] expected =
                PriorReferenceForward.forward(
                        toPriorWeights(net, weights), xt, toLong(t), cond, keep, batch);
        for (int b = 0; b < batch; b++) {
            double norm = 0;
            for (double v : expected[b]) {
                norm = Math.max(norm, Math.abs(v));
            }
            for (int k = 0; k < d; k++) {
                assertEquals(
                        expected[b][k],
                        out[b * d + k],
                        1e-4 * Math.max(1.0, norm),
                        "config " + config + " sample " + b + " dim " + k);
            }
        }
    }

    private static PriorWeights toPriorWeights(TrainablePrior net, Map<String, float[]> weights) {
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        weights.forEach(
                (name, data) ->
                        tensors.put(name, new NamedTensor(name, net.parameterShape(name), data)));
        return PriorWeights.of(net.config(), tensors);
    }

    private static long[] toLong(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    @Test
    void droppedConditionMakesOutputIndependentOfTheCondition() {
        PriorConfig config = new PriorConfig(16, 2, 2, 8, 10);
        TrainablePrior net = TrainablePrior.create(config, 5L);
        SplittableRandom random = new SplittableRandom(6);
        float[] xt = gaussian(random, 2 * 16);
        int[] t = {3, 7};
        float[] a = net.predict(xt, t, gaussian(random, 32), new float[] {0f, 0f});
        float[] b = net.predict(xt, t, gaussian(random, 32), new float[] {0f, 0f});
        assertArrayEquals(a, b, 0f);
        float[] c = net.predict(xt, t, gaussian(random, 32), new float[] {1f, 1f});
        float[] e = net.predict(xt, t, gaussian(random, 32), new float[] {1f, 1f});
        assertTrue(Math.abs(c[0] - e[0]) > 1e-6, "a kept condition must change the output");
    }

    @Test
    void loadWeightsRejectsWrongLengthNamingTheParameter() {
        PriorConfig config = new PriorConfig(8, 1, 1, 4, 4);
        TrainablePrior net = TrainablePrior.create(config, 1L);
        Map<String, float[]> weights = net.weights();
        weights.put("net.learned_query", new float[3]);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> net.loadWeights(weights));
        assertTrue(
                e.getMessage().contains("net.learned_query") && e.getMessage().contains("3"),
                e.getMessage());
    }

    static float[] gaussian(SplittableRandom random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }

    private static float[] slice(float[] data, int row, int width) {
        float[] out = new float[width];
        System.arraycopy(data, row * width, out, 0, width);
        return out;
    }
}
