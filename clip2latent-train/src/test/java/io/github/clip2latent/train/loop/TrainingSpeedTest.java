package io.github.clip2latent.train.loop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.train.model.TrainablePrior;
import io.github.clip2latent.train.optim.AdamW;
import io.github.clip2latent.train.optim.AdamWConfig;
import io.github.clip2latent.train.optim.Ema;
import io.github.clip2latent.train.optim.EmaConfig;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seconds per training step (forward, backward, AdamW, EMA) on this machine. Slow: run with {@code
 * mvn -Pslow -pl clip2latent-train -am test -Dtest=TrainingSpeedTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("slow")
class TrainingSpeedTest {

    @Test
    void smallConfigBatch8() {
        measure(new PriorConfig(16, 2, 2, 8, 1000), 8, 5, 30);
    }

    @Test
    void publishedConfigBatch32() {
        measure(PriorConfig.paper(), 32, 2, 5);
    }

    private static void measure(PriorConfig model, int batch, int warmup, int steps) {
        TrainerConfig config =
                new TrainerConfig(
                        model,
                        AdamWConfig.reference(),
                        EmaConfig.reference(),
                        batch,
                        0.2,
                        1.0,
                        1L,
                        1024,
                        10_000);
        long t0 = System.nanoTime();
        Trainer trainer = Trainer.create(config, TrainerTest.linearData(256, model.dim(), 5));
        long t1 = System.nanoTime();
        for (int i = 0; i < warmup; i++) {
            trainer.step();
        }
        long t2 = System.nanoTime();
        float loss = 0;
        for (int i = 0; i < steps; i++) {
            loss = trainer.step();
        }
        long t3 = System.nanoTime();
        System.out.printf(
                "SPEED %s batch %d (%,d params): create %.2f s, first %d steps %.2f s, then %.3f"
                        + " s/step over %d steps (last loss %.4f)%n",
                model,
                batch,
                model.parameterCount(),
                (t1 - t0) / 1e9,
                warmup,
                (t2 - t1) / 1e9,
                (t3 - t2) / 1e9 / steps,
                steps,
                loss);
        assertTrue(Float.isFinite(loss));

        // Per-stage split of one step: graph forward + backward, then AdamW, then the EMA.
        TrainablePrior net = trainer.network();
        int d = model.dim();
        float[] x = new float[batch * d];
        int[] t = new int[batch];
        float[] keep = new float[batch];
        java.util.Arrays.fill(keep, 1f);
        AdamW adamw = new AdamW(AdamWConfig.reference(), TrainablePrior.parameterShapes(model));
        Ema ema = new Ema(EmaConfig.reference(), net.parameterArrays());
        long g = 0;
        long a = 0;
        long e = 0;
        for (int i = 0; i < Math.min(steps, 3); i++) {
            long s0 = System.nanoTime();
            TrainablePrior.LossAndGradients lg = net.lossAndGradients(x, t, x, keep, x);
            long s1 = System.nanoTime();
            adamw.step(net.parameterArrays(), lg.gradients());
            long s2 = System.nanoTime();
            ema.update(2000 + i, net.parameterArrays());
            long s3 = System.nanoTime();
            g += s1 - s0;
            a += s2 - s1;
            e += s3 - s2;
        }
        int n = Math.min(steps, 3);
        System.out.printf(
                "SPLIT %s: forward+backward %.3f s, AdamW %.3f s, EMA %.3f s per step%n",
                model, g / 1e9 / n, a / 1e9 / n, e / 1e9 / n);
    }
}
