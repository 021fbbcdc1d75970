package io.github.clip2latent.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

class AdamWTest {

    @Test
    void firstStepMatchesHandComputation() {
        // lr 0.1 and wd 0.5 make every term visible in float32.
        AdamWConfig config = new AdamWConfig(0.1, 0.9, 0.999, 1e-6, 0.5);
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("matrix", Nd4j.createFromArray(new float[][] {{1f, -2f}, {0.5f, 3f}}));
        params.put("vector", Nd4j.createFromArray(1f, -1f));
        Map<String, INDArray> grads = new LinkedHashMap<>();
        grads.put("matrix", Nd4j.createFromArray(new float[][] {{0.2f, -0.4f}, {0f, 1e-3f}}));
        grads.put("vector", Nd4j.createFromArray(-0.3f, 2f));
        AdamW adamw = new AdamW(config, shapes(params));
        adamw.step(params, grads);

        // Step 1: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2, so the Adam part is
        // lr * g / (|g| + eps); decay p *= 1 - lr * wd = 0.95 only for the matrix.
        float[] p0 = {1f, -2f, 0.5f, 3f};
        float[] g0 = {0.2f, -0.4f, 0f, 1e-3f};
        float[] m = params.get("matrix").dup().data().asFloat();
        for (int i = 0; i < 4; i++) {
            double expected = p0[i] * 0.95 - 0.1 * g0[i] / (Math.abs(g0[i]) + 1e-6);
            assertEquals(expected, m[i], 1e-6, "matrix[" + i + "]");
        }
        float[] v = params.get("vector").dup().data().asFloat();
        assertEquals(1 - 0.1 * -0.3 / (0.3 + 1e-6), v[0], 1e-6);
        assertEquals(-1 - 0.1 * 2 / (2 + 1e-6), v[1], 1e-6);
        assertEquals(1, adamw.stepCount());
    }

    @Test
    void secondStepUsesBiasCorrectionOfStepTwo() {
        AdamWConfig config = new AdamWConfig(0.01, 0.9, 0.999, 1e-6, 0.0);
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("w", Nd4j.createFromArray(new float[][] {{0.5f}}));
        AdamW adamw = new AdamW(config, shapes(params));
        double p = 0.5;
        double mm = 0;
        double vv = 0;
        double[] g = {0.3, -0.1};
        for (int k = 1; k <= 2; k++) {
            adamw.step(
                    params, Map.of("w", Nd4j.createFromArray(new float[][] {{(float) g[k - 1]}})));
            mm = 0.9 * mm + 0.1 * g[k - 1];
            vv = 0.999 * vv + 0.001 * g[k - 1] * g[k - 1];
            p -=
                    0.01
                            / (1 - Math.pow(0.9, k))
                            * mm
                            / (Math.sqrt(vv) / Math.sqrt(1 - Math.pow(0.999, k)) + 1e-6);
        }
        assertEquals(p, params.get("w").getDouble(0, 0), 1e-7);
        assertEquals((float) mm, adamw.firstMoments().get("w")[0], 1e-8);
        assertEquals((float) vv, adamw.secondMoments().get("w")[0], 1e-9);
    }

    @Test
    void configRejectsBadValuesNamingThem() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new AdamWConfig(1e-4, 1.5, 0.999, 1e-6, 0.01));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EmaConfig(1.01, 0));
        assertThrows(IllegalArgumentException.class, () -> new EmaConfig(0.9, -1));
    }

    @Test
    void emaStartsAtOnlineWeightsThenAverages() {
        Map<String, INDArray> online = new LinkedHashMap<>();
        online.put("a", Nd4j.createFromArray(2f, 4f));
        Ema ema = new Ema(new EmaConfig(0.75, 1), online);
        assertEquals(2f, ema.weights().get("a")[0]);
        online.get("a").assign(Nd4j.createFromArray(10f, 20f));
        ema.update(1, online); // at the start step: follows the online weights
        assertEquals(10f, ema.weights().get("a")[0]);
        online.get("a").assign(Nd4j.createFromArray(14f, 28f));
        ema.update(2, online); // 0.75 * 10 + 0.25 * 14
        assertEquals(11f, ema.weights().get("a")[0], 1e-6f);
        assertEquals(22f, ema.weights().get("a")[1], 1e-6f);
    }

    private static Map<String, long[]> shapes(Map<String, INDArray> params) {
        Map<String, long[]> s = new LinkedHashMap<>();
        params.forEach((k, v) -> s.put(k, v.shape()));
        return s;
    }
}
