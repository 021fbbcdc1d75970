package io.github.clip2latent.examples.shapes;

import static io.github.clip2latent.examples.shapes.TestWorlds.WORLD;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import io.github.clip2latent.latent.LayeredLatents;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/** The written graphs, run by ONNX Runtime, against the Java generator. */
class ShapesGraphsTest {

    private static final int D = ShapesWorld.W_DIM;
    private static final int L = ShapesWorld.NUM_WS;

    private static Ort mapping;
    private static Ort synthesis;

    @BeforeAll
    static void open() throws OrtException {
        mapping = new Ort(ShapesGraphs.mapping(WORLD));
        synthesis = new Ort(ShapesGraphs.synthesis(WORLD));
    }

    @AfterAll
    static void close() throws OrtException {
        if (mapping != null) {
            mapping.close();
        }
        if (synthesis != null) {
            synthesis.close();
        }
    }

    @Test
    void mappingGraphMatchesJava() throws OrtException {
        int n = 128;
        float[] z = ShapesWorld.sampleZ(new SplittableRandom(3), n);
        float[] graph =
                mapping.run(
                        ShapesGraphs.MAPPING_INPUT,
                        z,
                        new long[] {n, ShapesWorld.Z_DIM},
                        ShapesGraphs.MAPPING_OUTPUT);
        assertEquals(n * D, graph.length);
        assertTrue(maxDifference(graph, WORLD.map(z, n)) < 1e-5);
    }

    /**
     * Pixel parity on broadcast, per-layer mixed, truncated and out-of-distribution latents; the
     * graph runs in float32, the Java renderer in double.
     */
    @Test
    void synthesisGraphMatchesJavaRenderer() throws OrtException {
        int n = 48;
        float[] w = TestWorlds.sampleW(4, n * L);
        float[] ws = new float[n * L * D];
        for (int r = 0; r < n; r++) {
            for (int layer = 0; layer < L; layer++) {
                // A third of the rows broadcast one w, a third mix four, a third are scaled
                // (truncated
                // or exaggerated) copies.
                int source = r % 3 == 1 ? r * L + layer : r * L;
                float scale = r % 3 == 2 ? (r % 2 == 0 ? 0.3f : 2.5f) : 1f;
                for (int d = 0; d < D; d++) {
                    ws[(r * L + layer) * D + d] = scale * w[source * D + d];
                }
            }
        }
        float[] graph =
                synthesis.run(
                        ShapesGraphs.SYNTHESIS_INPUT,
                        ws,
                        new long[] {n, L, D},
                        ShapesGraphs.SYNTHESIS_OUTPUT);
        float[] java = WORLD.render(ws, n);
        assertEquals(java.length, graph.length);
        double max = maxDifference(graph, java);
        assertTrue(max < 1e-4, "max |graph - java| = " + max);
        for (float v : graph) {
            assertTrue(v >= -1 && v <= 1, "pixel outside [-1, 1]: " + v);
        }
    }

    /**
     * The end-to-end check the quality benchmark relies on: z through both graphs, then the truth.
     */
    @Test
    void truthAgreesWithGraphPixels() throws OrtException {
        int n = 64;
        float[] z = ShapesWorld.sampleZ(new SplittableRandom(8), n);
        float[] w =
                mapping.run(
                        ShapesGraphs.MAPPING_INPUT,
                        z,
                        new long[] {n, ShapesWorld.Z_DIM},
                        ShapesGraphs.MAPPING_OUTPUT);
        float[] ws = LayeredLatents.broadcast(w, n, L, D);
        float[] images =
                synthesis.run(
                        ShapesGraphs.SYNTHESIS_INPUT,
                        ws,
                        new long[] {n, L, D},
                        ShapesGraphs.SYNTHESIS_OUTPUT);
        int clear = 0;
        for (int r = 0; r < n; r++) {
            WorldAttributes a = WORLD.attributes(ws, r);
            if (a.objectColorConfidence() < 0.99 || a.backgroundColorConfidence() < 0.99) {
                continue;
            }
            clear++;
            int[] center = TestWorlds.pixel(images, r, a.centerX(), a.centerY());
            assertTrue(
                    TestWorlds.distance(center, a.objectColor()) <= 3,
                    Arrays.toString(center) + " " + a);
            int[] corner =
                    TestWorlds.pixel(
                            images,
                            r,
                            a.centerX() < 32 ? 63.5 : 0.5,
                            a.centerY() < 32 ? 63.5 : 0.5);
            assertTrue(
                    TestWorlds.distance(corner, a.backgroundColor()) <= 3,
                    Arrays.toString(corner) + " " + a);
        }
        assertTrue(clear > 0.85 * n, "clear samples " + clear);
    }

    /**
     * Mixing the fine layers in the graph changes only colors: the coverage (drawn geometry) stays.
     */
    @Test
    void fineStyleMixingKeepsGeometryInGraphPixels() throws OrtException {
        int n = 16;
        float[] base = LayeredLatents.broadcast(TestWorlds.sampleW(10, n), n, L, D);
        float[] mixed = base.clone();
        LayeredLatents.styleMixInPlace(
                mixed,
                LayeredLatents.broadcast(TestWorlds.sampleW(11, n), n, L, D),
                n,
                L,
                D,
                ShapesWorld.FINE_LAYERS);
        long[] shape = {n, L, D};
        float[] before =
                synthesis.run(
                        ShapesGraphs.SYNTHESIS_INPUT, base, shape, ShapesGraphs.SYNTHESIS_OUTPUT);
        float[] after =
                synthesis.run(
                        ShapesGraphs.SYNTHESIS_INPUT, mixed, shape, ShapesGraphs.SYNTHESIS_OUTPUT);
        int plane = TestWorlds.PLANE;
        int compared = 0;
        for (int r = 0; r < n; r++) {
            double[] coverageBefore = coverage(before, r, WORLD.attributes(base, r));
            double[] coverageAfter = coverage(after, r, WORLD.attributes(mixed, r));
            if (coverageBefore == null || coverageAfter == null) {
                continue;
            }
            compared++;
            for (int p = 0; p < plane; p++) {
                assertEquals(coverageBefore[p], coverageAfter[p], 0.02, "row " + r + " pixel " + p);
            }
        }
        assertTrue(compared >= n / 2, "compared " + compared);
    }

    @Test
    void graphsFollowTheGeneratorContract(@TempDir Path dir) throws OrtException, IOException {
        ShapesGraphs.write(WORLD, dir);
        byte[] first = Files.readAllBytes(dir.resolve(ShapesGraphs.SYNTHESIS_FILE));
        ShapesGraphs.write(ShapesWorld.create(TestWorlds.SEED), dir);
        assertArrayEquals(first, Files.readAllBytes(dir.resolve(ShapesGraphs.SYNTHESIS_FILE)));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession m =
                            env.createSession(
                                    dir.resolve(ShapesGraphs.MAPPING_FILE).toString(), options);
                    OrtSession s =
                            env.createSession(
                                    dir.resolve(ShapesGraphs.SYNTHESIS_FILE).toString(), options)) {
                assertArrayEquals(
                        new long[] {-1, ShapesWorld.Z_DIM}, shapeOf(m.getInputInfo().get("z")));
                assertArrayEquals(new long[] {-1, D}, shapeOf(m.getOutputInfo().get("w")));
                assertArrayEquals(new long[] {-1, L, D}, shapeOf(s.getInputInfo().get("ws")));
                int size = ShapesWorld.IMAGE_SIZE;
                assertArrayEquals(
                        new long[] {-1, 3, size, size}, shapeOf(s.getOutputInfo().get("image")));
            }
        }
    }

    /**
     * Per-pixel coverage from the channel where object and background differ most; null if unclear.
     */
    private static double[] coverage(float[] images, int r, WorldAttributes a) {
        if (a.objectColorConfidence() < 0.999 || a.backgroundColorConfidence() < 0.999) {
            return null;
        }
        int channel = 0;
        double widest = 0;
        for (int c = 0; c < 3; c++) {
            double gap =
                    Math.abs(
                            a.objectColor().generatorValue(c)
                                    - a.backgroundColor().generatorValue(c));
            if (gap > widest) {
                widest = gap;
                channel = c;
            }
        }
        if (widest < 0.3) {
            return null;
        }
        double object = a.objectColor().generatorValue(channel);
        double background = a.backgroundColor().generatorValue(channel);
        int plane = TestWorlds.PLANE;
        double[] out = new double[plane];
        for (int p = 0; p < plane; p++) {
            out[p] = (images[(r * 3 + channel) * plane + p] - background) / (object - background);
        }
        return out;
    }

    private static long[] shapeOf(NodeInfo info) {
        return ((TensorInfo) info.getInfo()).getShape();
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
