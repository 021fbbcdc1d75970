package io.github.clip2latent.examples.shapes;

import io.github.clip2latent.convert.graph.Attribute;
import io.github.clip2latent.convert.graph.Dim;
import io.github.clip2latent.tensor.ElementType;
import io.github.clip2latent.convert.graph.GraphBuilder;
import io.github.clip2latent.convert.graph.GraphValue;
import io.github.clip2latent.convert.graph.OnnxModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Writes the shapes world's generator as ONNX graphs (opset {@value GraphBuilder#OPSET}) that
 * follow the library's generator contract: mapping {@value #MAPPING_INPUT} float [batch, 32] to
 * {@value #MAPPING_OUTPUT} float [batch, 32]; synthesis {@value #SYNTHESIS_INPUT} float [batch, 4,
 * 32] to {@value #SYNTHESIS_OUTPUT} float [batch, 3, 64, 64] in [-1, 1]. The graphs compute exactly
 * what {@link ShapesWorld#map} and {@link ShapesWorld#render} compute, in float32; the same world
 * gives byte-identical files.
 */
public final class ShapesGraphs {

    /** File name of the mapping graph. */
    public static final String MAPPING_FILE = "mapping.onnx";

    /** File name of the synthesis graph. */
    public static final String SYNTHESIS_FILE = "synthesis.onnx";

    /** Mapping input name. */
    public static final String MAPPING_INPUT = "z";

    /** Mapping output name. */
    public static final String MAPPING_OUTPUT = "w";

    /** Synthesis input name. */
    public static final String SYNTHESIS_INPUT = "ws";

    /** Synthesis output name. */
    public static final String SYNTHESIS_OUTPUT = "image";

    /** Symbolic batch dimension of every input and output. */
    public static final String BATCH = "batch";

    /** Metadata key under which the graphs record the world's seed. */
    public static final String SEED_KEY = "clip2latent.shapes.seed";

    private ShapesGraphs() {}

    /**
     * The mapping network: {@code z * rsqrt(mean(z^2) + 1e-8)}, then fully connected layers with
     * leaky ReLU (0.2) (reference section 6).
     *
     * @param world the world whose weights to write
     * @return the model
     */
    // Scopes only name intermediate values; the handle is closed, never read.
    @SuppressWarnings("try")
    public static OnnxModel mapping(ShapesWorld world) {
        Objects.requireNonNull(world, "world");
        GraphBuilder g = start("shapes_mapping", world);
        Dim batch = Dim.symbolic(BATCH);
        GraphValue z = g.input(MAPPING_INPUT, ElementType.FLOAT, batch, Dim.of(ShapesWorld.Z_DIM));
        GraphValue meanSquare = g.reduceMean(g.mul(z, z), true, 1);
        GraphValue x =
                g.mul(
                        z,
                        g.reciprocal(
                                g.sqrt(
                                        g.add(
                                                meanSquare,
                                                g.scalar(ShapesWorld.NORMALIZE_EPSILON)))));
        int in = ShapesWorld.Z_DIM;
        for (int layer = 0; layer < ShapesWorld.MAPPING_LAYERS; layer++) {
            try (GraphBuilder.Scope s = g.scope("fc" + layer)) {
                GraphValue weight =
                        g.floatConstant(
                                "weight",
                                new long[] {in, ShapesWorld.W_DIM},
                                world.mappingWeight(layer));
                GraphValue bias =
                        g.floatConstant(
                                "bias", new long[] {ShapesWorld.W_DIM}, world.mappingBias(layer));
                x = g.leakyRelu(g.add(g.matMul(x, weight), bias), ShapesWorld.LEAKY_SLOPE);
                in = ShapesWorld.W_DIM;
            }
        }
        g.output(x, MAPPING_OUTPUT, ElementType.FLOAT, batch, Dim.of(ShapesWorld.W_DIM));
        return g.build();
    }

    /**
     * The synthesis: read-outs of the coarse and fine layer means, then the rendering of one
     * anti-aliased shape; see {@link ShapesWorld} for the formulas.
     *
     * @param world the world whose weights to write
     * @return the model
     */
    @SuppressWarnings("try")
    public static OnnxModel synthesis(ShapesWorld world) {
        Objects.requireNonNull(world, "world");
        GraphBuilder g = start("shapes_synthesis", world);
        Dim batch = Dim.symbolic(BATCH);
        int dim = ShapesWorld.W_DIM;
        int size = ShapesWorld.IMAGE_SIZE;
        GraphValue ws =
                g.input(
                        SYNTHESIS_INPUT,
                        ElementType.FLOAT,
                        batch,
                        Dim.of(ShapesWorld.NUM_WS),
                        Dim.of(dim));
        GraphValue[] groups =
                g.split(
                        ws,
                        1,
                        span(ShapesWorld.COARSE_LAYERS.start(), ShapesWorld.COARSE_LAYERS.end()),
                        span(ShapesWorld.FINE_LAYERS.start(), ShapesWorld.FINE_LAYERS.end()));
        int shapes = Shape.values().length;
        int colors = PaletteColor.values().length;

        GraphValue shapeProbabilities;
        GraphValue halfExtent;
        GraphValue centerX;
        GraphValue centerY;
        try (GraphBuilder.Scope s = g.scope("coarse")) {
            GraphValue mean = g.reduceMean(groups[0], false, 1); // [B, D]
            GraphValue readout =
                    readout(g, mean, dim, ShapesWorld.COARSE_OUTPUTS, world.coarseWeights(),
                            world.coarseBias());
            GraphValue[] parts = g.split(readout, 1, shapes, 1, 1, 1);
            shapeProbabilities = g.reshape(g.softmax(parts[0], 1), 0, shapes, 1, 1); // [B, 3, 1, 1]
            halfExtent = scaledSigmoid(g, parts[1], ShapesWorld.MIN_SIZE, ShapesWorld.MAX_SIZE);
            centerX = scaledSigmoid(g, parts[2], ShapesWorld.MIN_CENTER, ShapesWorld.MAX_CENTER);
            centerY = scaledSigmoid(g, parts[3], ShapesWorld.MIN_CENTER, ShapesWorld.MAX_CENTER);
        }

        GraphValue objectColor;
        GraphValue backgroundColor;
        try (GraphBuilder.Scope s = g.scope("fine")) {
            GraphValue mean = g.reduceMean(groups[1], false, 1);
            GraphValue readout =
                    readout(g, mean, dim, ShapesWorld.FINE_OUTPUTS, world.fineWeights(),
                            world.fineBias());
            GraphValue[] parts = g.split(readout, 1, colors, colors);
            GraphValue objectProbabilities = g.softmax(parts[0], 1); // [B, 8]
            GraphValue backgroundLogits =
                    g.sub(
                            parts[1],
                            g.mul(
                                    objectProbabilities,
                                    g.scalar((float) ShapesWorld.BACKGROUND_AVOIDANCE)));
            GraphValue backgroundProbabilities = g.softmax(backgroundLogits, 1);
            GraphValue palette =
                    g.floatConstant("palette", new long[] {colors, 3}, paletteValues());
            objectColor =
                    g.reshape(g.matMul(objectProbabilities, palette), 0, 3, 1, 1); // [B, 3, 1, 1]
            backgroundColor = g.reshape(g.matMul(backgroundProbabilities, palette), 0, 3, 1, 1);
        }

        GraphValue image;
        try (GraphBuilder.Scope s = g.scope("render")) {
            float[] xs = new float[size * size];
            float[] ys = new float[size * size];
            for (int row = 0; row < size; row++) {
                for (int col = 0; col < size; col++) {
                    xs[row * size + col] = (float) ShapesWorld.pixelCenter(col);
                    ys[row * size + col] = (float) ShapesWorld.pixelCenter(row);
                }
            }
            long[] gridShape = {1, 1, size, size};
            GraphValue dx =
                    g.sub(g.floatConstant("grid_x", gridShape, xs), centerX); // [B, 1, H, W]
            GraphValue dy = g.sub(g.floatConstant("grid_y", gridShape, ys), centerY);
            GraphValue absDx = g.node1("Abs", List.of(dx));
            GraphValue absDy = g.node1("Abs", List.of(dy));
            GraphValue circle = g.sub(g.sqrt(g.add(g.mul(dx, dx), g.mul(dy, dy))), halfExtent);
            GraphValue square = g.sub(g.node1("Max", List.of(absDx, absDy)), halfExtent);
            // Equilateral triangle about its centroid: every edge lies at the inradius s / sqrt(3);
            // the slanted edges have outward normals (+-sqrt(3)/2, -1/2), the base (0, 1).
            GraphValue inradius = g.mul(halfExtent, g.scalar((float) (1 / ShapesWorld.SQRT3)));
            GraphValue slanted =
                    g.sub(
                            g.sub(
                                    g.mul(absDx, g.scalar((float) (ShapesWorld.SQRT3 / 2))),
                                    g.mul(dy, g.scalar(0.5f))),
                            inradius);
            GraphValue triangle = g.node1("Max", List.of(slanted, g.sub(dy, inradius)));
            GraphValue distances =
                    g.concat(1, circle, square, triangle); // [B, 3, H, W], shape order
            GraphValue coverages =
                    g.sigmoid(g.mul(distances, g.scalar((float) (-1 / ShapesWorld.EDGE_SOFTNESS))));
            GraphValue coverage =
                    g.node1(
                            "ReduceSum",
                            List.of(g.mul(coverages, shapeProbabilities), g.int64Vector("axes", 1)),
                            Attribute.of("keepdims", 1L)); // [B, 1, H, W]
            image =
                    g.add(
                            backgroundColor,
                            g.mul(coverage, g.sub(objectColor, backgroundColor))); // [B, 3, H, W]
        }
        g.output(
                image,
                SYNTHESIS_OUTPUT,
                ElementType.FLOAT,
                batch,
                Dim.of(3),
                Dim.of(size),
                Dim.of(size));
        return g.build();
    }

    /**
     * Writes {@value #MAPPING_FILE} and {@value #SYNTHESIS_FILE} into a folder, creating it if
     * needed.
     *
     * @param world the world
     * @param directory the target folder
     * @throws IOException when a file cannot be written
     */
    public static void write(ShapesWorld world, Path directory) throws IOException {
        Objects.requireNonNull(world, "world");
        Objects.requireNonNull(directory, "directory");
        Files.createDirectories(directory);
        mapping(world).write(directory.resolve(MAPPING_FILE));
        synthesis(world).write(directory.resolve(SYNTHESIS_FILE));
    }

    private static GraphBuilder start(String name, ShapesWorld world) {
        GraphBuilder g = new GraphBuilder(name);
        g.docString("clip2latent-java shapes world generator (" + name + ")");
        g.metadata(SEED_KEY, Long.toString(world.seed()));
        return g;
    }

    /**
     * {@code min + (max - min) * sigmoid(x)}, reshaped to [B, 1, 1, 1] to broadcast over pixels.
     */
    /** The linear read-out {@code mean W + b} of one layer group (weights {@code [dim, outputs]}). */
    private static GraphValue readout(
            GraphBuilder g, GraphValue mean, int dim, int outputs, float[] weights, float[] bias) {
        return g.add(
                g.matMul(mean, g.floatConstant("weight", new long[] {dim, outputs}, weights)),
                g.floatConstant("bias", new long[] {outputs}, bias));
    }

    private static GraphValue scaledSigmoid(GraphBuilder g, GraphValue x, double min, double max) {
        GraphValue scaled =
                g.add(g.mul(g.sigmoid(x), g.scalar((float) (max - min))), g.scalar((float) min));
        return g.reshape(scaled, 0, 1, 1, 1);
    }

    private static long span(int start, int end) {
        return end - start;
    }

    private static float[] paletteValues() {
        PaletteColor[] palette = PaletteColor.values();
        float[] out = new float[palette.length * 3];
        for (int j = 0; j < palette.length; j++) {
            for (int c = 0; c < 3; c++) {
                out[j * 3 + c] = (float) palette[j].generatorValue(c);
            }
        }
        return out;
    }
}
