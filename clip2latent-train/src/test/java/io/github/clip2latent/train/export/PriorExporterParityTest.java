package io.github.clip2latent.train.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.convert.graph.OnnxModel;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.convert.prior.PriorGraphWriter;
import io.github.clip2latent.train.model.TrainablePrior;

import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The exported ONNX prior computes what the SameDiff network computes: same weights, random inputs,
 * conditions kept and dropped, ONNX Runtime against SameDiff.
 */
class PriorExporterParityTest {

    /** Max |onnx - samediff| over max |samediff|: float32 graphs that differ only in op order. */
    static final double TOLERANCE = 1e-4;

    @Test
    void tinyNetwork() throws Exception {
        check(new PriorConfig(16, 2, 2, 8, 1000), 11);
    }

    @Test
    void widerNetworkWithRotaryOnPartOfTheHead() throws Exception {
        // dimHead 48 > 32: rotary covers the first 32 dims of each head only (reference section 3).
        check(new PriorConfig(64, 3, 4, 48, 1000), 12);
    }

    private static void check(PriorConfig config, long seed) throws Exception {
        TrainablePrior network = TrainablePrior.create(config, seed);
        // Perturb every weight, gains included, so a mix-up of two tensors or a gain of 1 cannot
        // hide.
        SplittableRandom random = new SplittableRandom(seed + 100);
        Map<String, float[]> weights = network.weights();
        weights.values()
                .forEach(
                        w -> {
                            for (int i = 0; i < w.length; i++) {
                                w[i] += (float) (0.1 * random.nextGaussian());
                            }
                        });
        network.loadWeights(weights);
        OnnxModel graph =
                PriorGraphWriter.build(
                        PriorExporter.toPriorWeights(config, network.weights()), "parity test");

        int batch = 12;
        int d = config.dim();
        float[] xt = new float[batch * d];
        float[] cond = new float[batch * d];
        for (int i = 0; i < xt.length; i++) {
            xt[i] = (float) random.nextGaussian();
            cond[i] = (float) (3 * random.nextGaussian());
        }
        int[] t = new int[batch];
        long[] tLong = new long[batch];
        float[] keep = new float[batch];
        for (int i = 0; i < batch; i++) {
            t[i] =
                    i == 0
                            ? 0
                            : i == 2 ? config.timesteps() - 1 : random.nextInt(config.timesteps());
            keep[i] = i % 2; // conditions kept and dropped
            if (i % 2 == 1) {
                // Row i repeats row i - 1 with the condition dropped instead of kept.
                t[i] = t[i - 1];
                System.arraycopy(xt, (i - 1) * d, xt, i * d, d);
                System.arraycopy(cond, (i - 1) * d, cond, i * d, d);
            }
            tLong[i] = t[i];
        }
        float[] expected = network.predict(xt, t, cond, keep);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] actual;
        try (OrtSession session =
                        env.createSession(graph.toByteArray(), new OrtSession.SessionOptions());
                OnnxTensor x =
                        OnnxTensor.createTensor(env, FloatBuffer.wrap(xt), new long[] {batch, d});
                OnnxTensor ts =
                        OnnxTensor.createTensor(env, LongBuffer.wrap(tLong), new long[] {batch});
                OnnxTensor c =
                        OnnxTensor.createTensor(
                                env, FloatBuffer.wrap(cond), new long[] {batch, d});
                OnnxTensor k =
                        OnnxTensor.createTensor(env, FloatBuffer.wrap(keep), new long[] {batch});
                OrtSession.Result result =
                        session.run(
                                Map.of(
                                        PriorGraphWriter.INPUT_X_T,
                                        x,
                                        PriorGraphWriter.INPUT_T,
                                        ts,
                                        PriorGraphWriter.INPUT_CONDITION,
                                        c,
                                        PriorGraphWriter.INPUT_KEEP,
                                        k))) {
            FloatBuffer out =
                    ((OnnxTensor) result.get(PriorGraphWriter.OUTPUT_X0).orElseThrow())
                            .getFloatBuffer();
            actual = new float[out.remaining()];
            out.get(actual);
        }
        assertEquals(expected.length, actual.length);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf(
                "parity %s: max |diff| %.3g, max |x0| %.3g, relative %.3g%n",
                config, maxDiff, maxAbs, maxDiff / maxAbs);
        assertTrue(
                maxDiff <= TOLERANCE * maxAbs,
                "max |diff| " + maxDiff + " > " + TOLERANCE + " x " + maxAbs);
        // The same row kept and dropped must differ: the mask really reaches both graphs.
        double keptVsDropped = 0;
        for (int i = 0; i < d; i++) {
            keptVsDropped = Math.max(keptVsDropped, Math.abs(actual[i] - actual[d + i]));
        }
        assertTrue(keptVsDropped > 1e-3, "kept and dropped rows differ by only " + keptVsDropped);
    }
}
