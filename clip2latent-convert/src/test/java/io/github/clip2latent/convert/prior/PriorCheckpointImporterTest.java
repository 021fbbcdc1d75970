package io.github.clip2latent.convert.prior;

import io.github.clip2latent.convert.RelativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.read.Fixtures;
import io.github.clip2latent.diffusion.ClassifierFreeGuidance;
import io.github.clip2latent.diffusion.DdpmSampler;
import io.github.clip2latent.diffusion.RecordedNoise;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.latent.Truncation;
import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;
import io.github.clip2latent.schedule.NoiseSchedule;
import io.github.clip2latent.schedule.SamplingPlan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/** The fixture checkpoint imported and run in real ONNX Runtime sessions, against the goldens. */
class PriorCheckpointImporterTest {

    /** Relative tolerance: max |a - b| over max |golden|. */
    private static final double RTOL = 1e-4;

    @TempDir Path dir;

    static float[] npy(String name) throws IOException {
        return Npy.read(Fixtures.path("prior/" + name)).data();
    }

    static double relativeError(float[] golden, float[] got) {
        return RelativeError.of(golden, got);
    }

    static void assertClose(float[] golden, float[] got, String what) {
        double err = relativeError(golden, got);
        System.out.printf("%s: relative error %.2e%n", what, err);
        assertTrue(err <= RTOL, what + ": relative error " + err + " > " + RTOL);
    }

    /** Integer goldens (t: int64, keep: uint8), which the core's float npy reader does not read. */
    static long[] longs(String name) throws IOException {
        byte[] b = java.nio.file.Files.readAllBytes(Fixtures.path("prior/" + name));
        int headerLen = (b[8] & 0xFF) | (b[9] & 0xFF) << 8; // format 1.0
        String header = new String(b, 10, headerLen, java.nio.charset.StandardCharsets.US_ASCII);
        java.nio.ByteBuffer data =
                java.nio.ByteBuffer.wrap(b, 10 + headerLen, b.length - 10 - headerLen)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        boolean int64 = header.contains("'<i8'");
        assertTrue(int64 || header.contains("'|u1'"), name + ": " + header);
        long[] out = new long[data.remaining() / (int64 ? 8 : 1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = int64 ? data.getLong() : data.get() & 0xFF;
        }
        return out;
    }

    @Test
    void emaImportMatchesTheX0Goldens() throws Exception {
        Path graph = dir.resolve("prior.onnx");
        PriorImport imported =
                PriorCheckpointImporter.importCheckpoint(
                        Fixtures.path("prior/prior.ckpt"), graph, PriorCheckpointImporter.Copy.EMA);
        assertEquals(new PriorConfig(64, 2, 2, 64, 1000), imported.config());
        assertEquals("cosine", imported.scheduleName());
        assertEquals(1000, imported.timesteps());
        assertEquals(PriorCheckpointImporter.Copy.EMA, imported.copy());
        assertTrue(imported.sourceSha256().startsWith("6bd767089933fb6e"), imported.sourceSha256());
        assertArrayEquals(npy("latent_mean.npy"), imported.latentMean());
        assertArrayEquals(npy("latent_std.npy"), imported.latentStd());
        assertEquals(graph, imported.graphFile());

        float[] xt = npy("x_t.npy");
        long[] t = longs("t.npy");
        float[] cond = npy("cond.npy");
        long[] keepMask = longs("keep.npy");
        int rows = t.length;
        boolean[] all = new boolean[rows];
        Arrays.fill(all, true);
        boolean[] none = new boolean[rows];
        boolean[] perRow = new boolean[rows];
        for (int i = 0; i < rows; i++) {
            perRow[i] = keepMask[i] == 1;
        }
        try (OrtPriorDenoiser net = new OrtPriorDenoiser(graph, 64)) {
            float[] kept = net.run(xt, t, cond, all);
            float[] dropped = net.run(xt, t, cond, none);
            assertClose(npy("x0_pred_kept.npy"), kept, "kept");
            assertClose(npy("x0_pred_dropped.npy"), dropped, "dropped");
            assertClose(npy("x0_pred.npy"), net.run(xt, t, cond, perRow), "per-row keep");
            float[] guided = new float[kept.length];
            for (int i = 0; i < guided.length; i++) {
                guided[i] = dropped[i] + (kept[i] - dropped[i]) * 2.0f;
            }
            assertClose(npy("x0_pred_guided.npy"), guided, "guided (scale 2)");
            // The EMA import is not the online copy.
            assertTrue(relativeError(npy("x0_pred_online_kept_DIAGNOSTIC.npy"), kept) > 1e-2);
        }
    }

    @Test
    void onlineCopyReproducesTheDiagnosticGoldenOnly() throws Exception {
        Path graph = dir.resolve("online.onnx");
        PriorImport imported =
                PriorCheckpointImporter.importCheckpoint(
                        Fixtures.path("prior/prior.ckpt"),
                        graph,
                        PriorCheckpointImporter.Copy.ONLINE);
        assertEquals(PriorCheckpointImporter.Copy.ONLINE, imported.copy());
        float[] xt = npy("x_t.npy");
        long[] t = longs("t.npy");
        float[] cond = npy("cond.npy");
        boolean[] all = new boolean[t.length];
        Arrays.fill(all, true);
        try (OrtPriorDenoiser net = new OrtPriorDenoiser(graph, 64)) {
            float[] kept = net.run(xt, t, cond, all);
            assertClose(npy("x0_pred_online_kept_DIAGNOSTIC.npy"), kept, "online kept");
            double errVsEma = relativeError(npy("x0_pred_kept.npy"), kept);
            assertTrue(
                    errVsEma > 1e-2,
                    "the online copy must differ from the EMA goldens: " + errVsEma);
        }
    }

    @Test
    void recordedSamplingRunReproducesEveryStep() throws Exception {
        Path graph = dir.resolve("prior.onnx");
        PriorImport imported =
                PriorCheckpointImporter.importCheckpoint(
                        Fixtures.path("prior/prior.ckpt"), graph, PriorCheckpointImporter.Copy.EMA);
        int rows = 3;
        int dim = 64;
        int n = rows * dim;
        // set_timestep_skip(250): steps 750, 500, 250, 0 with the reference's noise quirk.
        SamplingPlan plan =
                SamplingPlan.referenceSkip(NoiseSchedule.cosine(imported.timesteps()), 250);
        long[] visited = longs("sample_t.npy");
        float[] coef1 = npy("respaced_coef1.npy");
        float[] coef2 = npy("respaced_coef2.npy");
        float[] logVar = npy("noise_log_variance_used.npy");
        for (int k = 0; k < plan.steps(); k++) {
            int j = plan.steps() - 1 - k;
            assertEquals(visited[k], plan.timestep(j), "visited step " + k);
            // Absolute tolerance: the reference respaces its float32 buffers, so coef2 at t=250
            // (1 - abar[0] ~ 3e-5 in float32) carries a relative error of ~5e-4 there; the core
            // respaces in float64. The difference moves x by ~1e-7.
            assertEquals(coef1[k], plan.posteriorMeanCoef1(j), 1e-6, "coef1 at step " + k);
            assertEquals(coef2[k], plan.posteriorMeanCoef2(j), 1e-6, "coef2 at step " + k);
            if (j > 0) {
                assertEquals(Math.exp(0.5 * logVar[k]), plan.noiseStd(j), 1e-6 * plan.noiseStd(j));
            }
        }
        NpyArray xs = Npy.read(Fixtures.path("prior/sample_x.npy"));
        NpyArray x0s = Npy.read(Fixtures.path("prior/sample_x0.npy"));
        RecordedNoise noise =
                new RecordedNoise(npy("sample_x_init.npy"), npy("sample_noise.npy"), n);
        float[] x = new float[n];
        try (OrtPriorDenoiser net = new OrtPriorDenoiser(graph, dim)) {
            ClassifierFreeGuidance guidance =
                    ClassifierFreeGuidance.create(
                            net,
                            2.0f,
                            npy("sample_cond.npy"),
                            null,
                            rows,
                            ClassifierFreeGuidance.Batching.SEQUENTIAL);
            int[] steps = {0};
            DdpmSampler.INSTANCE.sample(
                    plan,
                    guidance,
                    x,
                    rows,
                    dim,
                    noise,
                    (k, j, x0, xk) -> {
                        assertClose(
                                Arrays.copyOfRange(x0s.data(), k * n, (k + 1) * n),
                                x0,
                                "x0 at step " + k);
                        assertClose(
                                Arrays.copyOfRange(xs.data(), k * n, (k + 1) * n),
                                xk,
                                "x after step " + k);
                        steps[0]++;
                    });
            assertEquals(4, steps[0]);
            assertEquals(8, net.calls, "two network calls per step");
        }
        assertClose(npy("sample_x_final.npy"), x, "final x");
        LatentStats stats = new LatentStats(imported.latentMean(), imported.latentStd());
        float[] w = x.clone();
        stats.denormalizeInPlace(w, rows);
        assertClose(npy("sample_w.npy"), w, "denormalized w");
        float[] wTrunc = w.clone();
        Truncation.applyInPlace(wTrunc, rows, imported.latentMean(), 0.7f);
        assertClose(npy("sample_w_trunc.npy"), wTrunc, "truncated w (psi 0.7)");
    }
}
