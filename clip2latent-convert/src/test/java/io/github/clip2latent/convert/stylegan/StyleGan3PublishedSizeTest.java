package io.github.clip2latent.convert.stylegan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.convert.graph.OnnxModel;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * A StyleGAN3-T generator at the published LHQ size (256 px, 16 ws of width 512) loads, converts
 * and runs; prints the file sizes, times and peak RSS. Needs a pickle made with the fixture
 * generator at that configuration (random weights; see docs/stylegan.md), named by the environment
 * variable {@code CLIP2LATENT_SG3_PICKLE}; skipped without it.
 */
@Tag("slow")
class StyleGan3PublishedSizeTest {

    @TempDir Path dir;

    @Test
    void publishedSizeLoadsAndRuns() throws Exception {
        String env = System.getenv("CLIP2LATENT_SG3_PICKLE");
        Assumptions.assumeTrue(env != null, "CLIP2LATENT_SG3_PICKLE not set");
        Path pickle = Path.of(env);
        long t0 = System.nanoTime();
        OnnxModel model = StyleGan3SynthesisGraphWriter.write(pickle);
        long t1 = System.nanoTime();
        Path file = dir.resolve("synthesis.onnx");
        model.write(file);
        Map<String, String> meta = model.metadata();
        int numWs = Integer.parseInt(meta.get("clip2latent.stylegan.num_ws"));
        int wDim = Integer.parseInt(meta.get("clip2latent.stylegan.w_dim"));
        int res = Integer.parseInt(meta.get("clip2latent.stylegan.img_resolution"));
        System.out.printf(
                "pickle %d bytes, onnx %d bytes, read+convert %.1f s%n",
                Files.size(pickle), Files.size(file), (t1 - t0) / 1e9);
        int threads = Integer.getInteger("sg3.threads", 2);
        OrtEnvironment env0 = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            long t2 = System.nanoTime();
            try (OrtSession session = env0.createSession(file.toString(), opts)) {
                long t3 = System.nanoTime();
                System.out.printf("session load %.2f s (%d threads)%n", (t3 - t2) / 1e9, threads);
                float[] ws = new float[numWs * wDim];
                Random random = new Random(7);
                for (int i = 0; i < ws.length; i++) {
                    ws[i] = (float) random.nextGaussian();
                }
                for (int round = 0; round < 3; round++) {
                    try (OnnxTensor in =
                                    OnnxTensor.createTensor(
                                            env0,
                                            FloatBuffer.wrap(ws),
                                            new long[] {1, numWs, wDim});
                            OrtSession.Result out =
                                    session.run(Map.of(StyleGan3SynthesisGraphWriter.INPUT, in))) {
                        long t5 = System.nanoTime();
                        System.out.printf("batch 1 run %d: %.2f s%n", round, (t5 - t3) / 1e9);
                        t3 = t5;
                        OnnxTensor img = (OnnxTensor) out.get(0);
                        assertEquals(res, img.getInfo().getShape()[3]);
                        FloatBuffer b = img.getFloatBuffer();
                        while (b.hasRemaining()) {
                            assertTrue(Float.isFinite(b.get()));
                        }
                    }
                }
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM")) {
                System.out.println("peak RSS " + line.substring(6).trim());
            }
        }
    }
}
