package io.github.clip2latent.examples.shapes;

import io.github.clip2latent.diffusion.StandardNormal;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.latent.LayerRange;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The shapes world's generator, in Java: a StyleGAN-like mapping network {@code z -> w} and a
 * synthesis {@code ws -> image} that draws one anti-aliased shape on a plain background, with all
 * weights made deterministically from one seed. {@link ShapesGraphs} writes the same computation as
 * ONNX graphs; this class is the ground truth the graphs are checked against, and the read-out of
 * the true attributes of any latent.
 *
 * <p>Design, following StyleGAN's split of coarse and fine layers (reference section 6):
 *
 * <ul>
 *   <li>Mapping: {@code z * rsqrt(mean(z^2) + 1e-8)}, then {@value #MAPPING_LAYERS} fully connected
 *       layers of width {@value #W_DIM} with leaky ReLU (0.2).
 *   <li>Synthesis reads the mean of ws layers 0 and 1 ({@link #COARSE_LAYERS}) linearly into 3
 *       shape logits and the pre-activations of size and center; the mean of layers 2 and 3 ({@link
 *       #FINE_LAYERS}) into 8 object-color and 8 background-color logits. Mixing the fine layers
 *       therefore changes colors and leaves shape, size and position exactly as they were.
 *   <li>Categories are a sharp soft-max over the logits; size and center are a sigmoid scaled into
 *       their ranges. The background logits are lowered by {@code 10000 * p(object color)}, so the
 *       background never takes the object's color.
 *   <li>Rendering: per-pixel signed distances to the circle, square and triangle, coverage {@code
 *       sigmoid(-distance / }{@value #EDGE_SOFTNESS}{@code )} mixed by the shape probabilities, and
 *       {@code pixel = coverage * object + (1 - coverage) * background}.
 * </ul>
 *
 * <p>The read-out directions are orthonormal in the whitened w space (w minus its mean, times the
 * inverse Cholesky factor of its covariance, both measured on {@value #CALIBRATION_SAMPLES} seeded
 * samples), so the attributes of {@code z ~ N(0, I)} are nearly uncorrelated; per-category offsets
 * are then tuned on the same samples so that each shape and color comes out about equally often,
 * and the size and center pre-activations are centered on their medians. The whole calibration is
 * folded into one matrix and bias per read-out, which is all the graphs hold.
 *
 * <p>Immutable and thread-safe.
 */
public final class ShapesWorld {

    /** Image height and width in pixels. */
    public static final int IMAGE_SIZE = 64;

    /** Width of z. */
    public static final int Z_DIM = 32;

    /** Width of w. */
    public static final int W_DIM = 32;

    /** Number of w layers the synthesis takes. */
    public static final int NUM_WS = 4;

    /** Fully connected layers of the mapping network. */
    public static final int MAPPING_LAYERS = 2;

    /** Layers whose mean decides shape, size and position. */
    public static final LayerRange COARSE_LAYERS = new LayerRange(0, 2);

    /** Layers whose mean decides the object and background colors. */
    public static final LayerRange FINE_LAYERS = new LayerRange(2, 4);

    /** Smallest half-extent in pixels. */
    public static final double MIN_SIZE = 6;

    /** Largest half-extent in pixels. */
    public static final double MAX_SIZE = 20;

    /** Smallest center coordinate in pixels. */
    public static final double MIN_CENTER = 16;

    /** Largest center coordinate in pixels. */
    public static final double MAX_CENTER = 48;

    /**
     * Scale of the edge sigmoid in pixels. A logistic of scale 0.25 has a 10-90 % rise of about one
     * pixel, close to the coverage ramp of a box-filtered edge.
     */
    public static final double EDGE_SOFTNESS = 0.25;

    /**
     * sqrt(3): the triangle's height is sqrt(3) times its half-base, its inradius half-base /
     * sqrt(3).
     */
    static final double SQRT3 = Math.sqrt(3.0);

    /** Slope of the mapping's leaky ReLU, StyleGAN's value. */
    static final float LEAKY_SLOPE = 0.2f;

    /** Added to the mean square of z before the reciprocal square root (reference section 6). */
    static final float NORMALIZE_EPSILON = 1e-8f;

    /** Outputs of the coarse read-out: 3 shape logits, then size, center x and center y. */
    static final int COARSE_OUTPUTS = 6;

    /** Outputs of the fine read-out: 8 object-color logits, then 8 background-color logits. */
    static final int FINE_OUTPUTS = 16;

    /**
     * Penalty on the background logits per unit of object-color probability; far above the spread
     * of the logits (about 200 per unit of projection, projections within +-5), so the background
     * takes the object's color only if that color has almost no probability for the object.
     */
    static final double BACKGROUND_AVOIDANCE = 10_000;

    /**
     * Logits per unit of whitened projection. The winner's probability is about {@code 1 - exp(-200
     * gap)} for a gap between the best two projections, so only samples with a gap below about
     * 0.025 blend two categories by more than 1 % (a few 8-bit levels); measured, about 97 % of
     * samples of seed 7 are within 1 % of one shape and one color. Sharper logits would only make
     * the latent space more abrupt.
     */
    private static final double LOGIT_SHARPNESS = 200;

    /**
     * Sigmoid input per unit of projection for size and center. The logistic of a normal with
     * standard deviation 1.7 is close to uniform, so sizes and centers spread over their ranges.
     */
    private static final double RANGE_GAIN = 1.7;

    private static final int CALIBRATION_SAMPLES = 8192;
    private static final int CALIBRATION_ROUNDS = 80;
    private static final int SHAPES = Shape.values().length;
    private static final int COLORS = PaletteColor.values().length;

    private final long seed;
    private final float[][] mappingWeights; // [layer][in * out], row-major [in, out]
    private final float[][] mappingBiases; // [layer][out]
    private final float[] coarseWeights; // [W_DIM, COARSE_OUTPUTS]
    private final float[] coarseBias; // [COARSE_OUTPUTS]
    private final float[] fineWeights; // [W_DIM, FINE_OUTPUTS]
    private final float[] fineBias; // [FINE_OUTPUTS]

    private ShapesWorld(
            long seed,
            float[][] mappingWeights,
            float[][] mappingBiases,
            float[] coarseWeights,
            float[] coarseBias,
            float[] fineWeights,
            float[] fineBias) {
        this.seed = seed;
        this.mappingWeights = mappingWeights;
        this.mappingBiases = mappingBiases;
        this.coarseWeights = coarseWeights;
        this.coarseBias = coarseBias;
        this.fineWeights = fineWeights;
        this.fineBias = fineBias;
    }

    /**
     * Makes the world of a seed: the mapping weights, then the calibrated read-outs. Takes a
     * fraction of a second (the calibration maps 8,192 latents); the same seed gives bit-identical
     * weights on every JVM.
     *
     * @param seed the world's seed
     * @return the world
     */
    public static ShapesWorld create(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] weights = new float[MAPPING_LAYERS][];
        float[][] biases = new float[MAPPING_LAYERS][];
        int in = Z_DIM;
        for (int layer = 0; layer < MAPPING_LAYERS; layer++) {
            // sqrt(2 / fan-in) keeps the activations' scale through leaky ReLU (He initialization).
            weights[layer] = uniform(random, in * W_DIM, Math.sqrt(2.0 / in));
            biases[layer] = uniform(random, W_DIM, 0.1);
            in = W_DIM;
        }
        SplittableRandom directionRandom = random.split();
        SplittableRandom calibrationRandom = random.split();
        ShapesWorld mappingOnly = new ShapesWorld(seed, weights, biases, null, null, null, null);
        float[] w =
                mappingOnly.map(
                        StandardNormal.sample(calibrationRandom, CALIBRATION_SAMPLES * Z_DIM),
                        CALIBRATION_SAMPLES);
        Calibration calibration = Calibration.of(w, CALIBRATION_SAMPLES, directionRandom);
        return new ShapesWorld(
                seed,
                weights,
                biases,
                calibration.coarseWeights,
                calibration.coarseBias,
                calibration.fineWeights,
                calibration.fineBias);
    }

    /**
     * The seed this world was made from.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * Draws standard normal z with the library's own sampler, so that seeds mean the same here and
     * in the API.
     *
     * @param random caller-owned generator
     * @param rows number of latents
     * @return {@code [rows, Z_DIM]}
     */
    public static float[] sampleZ(SplittableRandom random, int rows) {
        Objects.requireNonNull(random, "random");
        requirePositive("rows", rows);
        return StandardNormal.sample(random, Math.multiplyExact(rows, Z_DIM));
    }

    /**
     * The mapping network, as the mapping graph computes it (in double precision).
     *
     * @param z {@code [rows, Z_DIM]}
     * @param rows number of latents
     * @return w {@code [rows, W_DIM]}
     */
    public float[] map(float[] z, int rows) {
        requirePositive("rows", rows);
        requireLength("z", z, (long) rows * Z_DIM);
        float[] out = new float[rows * W_DIM];
        double[] x = new double[Z_DIM];
        for (int r = 0; r < rows; r++) {
            double meanSquare = 0;
            for (int i = 0; i < Z_DIM; i++) {
                double v = z[r * Z_DIM + i];
                meanSquare += v * v;
            }
            meanSquare /= Z_DIM;
            // Section 6: normalize_2nd_moment, z * rsqrt(mean(z^2) + 1e-8).
            double scale = 1.0 / Math.sqrt(meanSquare + NORMALIZE_EPSILON);
            for (int i = 0; i < Z_DIM; i++) {
                x[i] = z[r * Z_DIM + i] * scale;
            }
            for (int layer = 0; layer < MAPPING_LAYERS; layer++) {
                double[] y = new double[W_DIM];
                float[] weight = mappingWeights[layer];
                for (int o = 0; o < W_DIM; o++) {
                    double sum = mappingBiases[layer][o];
                    for (int i = 0; i < x.length; i++) {
                        sum += x[i] * weight[i * W_DIM + o];
                    }
                    y[o] = sum >= 0 ? sum : LEAKY_SLOPE * sum;
                }
                x = y;
            }
            for (int o = 0; o < W_DIM; o++) {
                out[r * W_DIM + o] = (float) x[o];
            }
        }
        return out;
    }

    /**
     * The mean and standard deviation of w over seeded {@code z ~ N(0, I)}, the statistics a prior
     * is trained against and truncation centers on.
     *
     * @param samples number of latents, at least 2
     * @param seed seed of the z draws
     * @return the statistics
     */
    public LatentStats latentStats(int samples, long seed) {
        if (samples < 2) {
            throw new IllegalArgumentException("samples must be >= 2, got " + samples);
        }
        float[] w = map(sampleZ(new SplittableRandom(seed), samples), samples);
        return LatentStats.estimate(w, samples, W_DIM);
    }

    /**
     * The true attributes of one latent.
     *
     * @param ws {@code [NUM_WS, W_DIM]}
     * @return the attributes
     */
    public WorldAttributes attributes(float[] ws) {
        requireLength("ws", ws, (long) NUM_WS * W_DIM);
        return styles(ws, 0).attributes();
    }

    /**
     * The true attributes of one row of a batch of latents.
     *
     * @param ws {@code [rows, NUM_WS, W_DIM]}
     * @param row the row
     * @return the attributes
     */
    public WorldAttributes attributes(float[] ws, int row) {
        requireRow(ws, row);
        return styles(ws, row * NUM_WS * W_DIM).attributes();
    }

    /**
     * The true attributes of a w broadcast to every layer.
     *
     * @param w {@code [W_DIM]}
     * @return the attributes
     */
    public WorldAttributes attributesOfW(float[] w) {
        requireLength("w", w, W_DIM);
        float[] ws = new float[NUM_WS * W_DIM];
        for (int layer = 0; layer < NUM_WS; layer++) {
            System.arraycopy(w, 0, ws, layer * W_DIM, W_DIM);
        }
        return attributes(ws);
    }

    /**
     * The same scene with exactly one attribute changed, for hard negatives in the world CLIP's
     * training. The layers that decide the attribute (fine for colors, coarse for shape, size and
     * position) move by the least change that sets their read-out logits to the edited ones,
     * {@code dx = F (F^T F)^-1 (t - l)} with F the read-out matrix, l its logits and t the edited
     * logits; every other read-out stays exactly as it was.
     *
     * @param ws {@code [rows, NUM_WS, W_DIM]}
     * @param row the row to change
     * @param edit what to change
     * @return the new {@code [NUM_WS, W_DIM]} latent, or {@code null} when the edited scene does
     *     not come out with the changed attribute clear and different and every other unchanged
     */
    public float[] edited(float[] ws, int row, SceneEdit edit) {
        requireRow(ws, row);
        int stride = NUM_WS * W_DIM;
        float[] out = Arrays.copyOfRange(ws, row * stride, (row + 1) * stride);
        WorldAttributes before = attributes(out);
        boolean fine = edit == SceneEdit.SWAP_COLORS;
        LayerRange layers = fine ? FINE_LAYERS : COARSE_LAYERS;
        float[] weights = fine ? fineWeights : coarseWeights;
        int k = fine ? FINE_OUTPUTS : COARSE_OUTPUTS;
        double[] l = affine(layerMean(out, 0, layers), weights, fine ? fineBias : coarseBias, k);
        double[] d = new double[k];
        switch (edit) {
            case SWAP_COLORS -> {
                int o = before.objectColor().ordinal();
                int b = before.backgroundColor().ordinal();
                d[o] = l[b] - l[o];
                d[b] = l[o] - l[b];
                d[COLORS + o] = l[COLORS + b] - l[COLORS + o];
                d[COLORS + b] = l[COLORS + o] - l[COLORS + b];
            }
            case NEXT_SHAPE -> {
                // The shape logits rotate by one: shape s's logit goes to shape s + 1.
                for (int s = 0; s < SHAPES; s++) {
                    d[(s + 1) % SHAPES] = l[s] - l[(s + 1) % SHAPES];
                }
            }
            // size and center are MIN + (MAX - MIN) sigmoid(logit): a negated logit mirrors them
            // about the middle of their range, where the small/large and left/right, top/bottom
            // thresholds are symmetric.
            case FLIP_SIZE -> d[SHAPES] = -2 * l[SHAPES];
            case MIRROR_HORIZONTAL -> d[SHAPES + 1] = -2 * l[SHAPES + 1];
            case MIRROR_VERTICAL -> d[SHAPES + 2] = -2 * l[SHAPES + 2];
        }
        double[] y = solveGram(weights, k, d);
        for (int dim = 0; dim < W_DIM; dim++) {
            double dx = 0;
            for (int i = 0; i < k; i++) {
                dx += weights[dim * k + i] * y[i];
            }
            for (int layer = layers.start(); layer < layers.end(); layer++) {
                out[layer * W_DIM + dim] += (float) dx;
            }
        }
        WorldAttributes after = attributes(out);
        return edit.changed(before, after) ? out : null;
    }

    /** Solves {@code (F^T F) y = d} by Gaussian elimination, F the {@code [W_DIM, k]} read-out. */
    private static double[] solveGram(float[] weights, int k, double[] d) {
        double[][] g = new double[k][k + 1];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double sum = 0;
                for (int dim = 0; dim < W_DIM; dim++) {
                    sum += (double) weights[dim * k + i] * weights[dim * k + j];
                }
                g[i][j] = sum;
            }
            g[i][k] = d[i];
        }
        for (int col = 0; col < k; col++) {
            int pivot = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(g[r][col]) > Math.abs(g[pivot][col])) {
                    pivot = r;
                }
            }
            double[] swap = g[col];
            g[col] = g[pivot];
            g[pivot] = swap;
            for (int r = 0; r < k; r++) {
                if (r != col && g[col][col] != 0) {
                    double f = g[r][col] / g[col][col];
                    for (int c = col; c <= k; c++) {
                        g[r][c] -= f * g[col][c];
                    }
                }
            }
        }
        double[] y = new double[k];
        for (int i = 0; i < k; i++) {
            y[i] = g[i][k] / g[i][i];
        }
        return y;
    }

    /**
     * The synthesis, as the synthesis graph computes it (in double precision).
     *
     * @param ws {@code [rows, NUM_WS, W_DIM]}
     * @param rows number of latents
     * @return images {@code [rows, 3, IMAGE_SIZE, IMAGE_SIZE]} in [-1, 1]
     */
    public float[] render(float[] ws, int rows) {
        requirePositive("rows", rows);
        requireLength("ws", ws, (long) rows * NUM_WS * W_DIM);
        int plane = IMAGE_SIZE * IMAGE_SIZE;
        float[] out = new float[rows * 3 * plane];
        for (int r = 0; r < rows; r++) {
            Styles s = styles(ws, r * NUM_WS * W_DIM);
            double inradius = s.size / SQRT3;
            for (int row = 0; row < IMAGE_SIZE; row++) {
                double dy = pixelCenter(row) - s.centerY;
                for (int col = 0; col < IMAGE_SIZE; col++) {
                    double dx = pixelCenter(col) - s.centerX;
                    double[] distance = {
                        Math.sqrt(dx * dx + dy * dy) - s.size,
                        Math.max(Math.abs(dx), Math.abs(dy)) - s.size,
                        Math.max(SQRT3 / 2 * Math.abs(dx) - 0.5 * dy - inradius, dy - inradius),
                    };
                    double coverage = 0;
                    for (int k = 0; k < SHAPES; k++) {
                        coverage += s.shapeProbabilities[k] * sigmoid(-distance[k] / EDGE_SOFTNESS);
                    }
                    for (int c = 0; c < 3; c++) {
                        out[(r * 3 + c) * plane + row * IMAGE_SIZE + col] =
                                (float)
                                        (s.background[c]
                                                + coverage * (s.object[c] - s.background[c]));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The center of pixel {@code index} along one axis: pixels are unit squares, so the image spans
     * [0, 64] and pixel 0's center is at 0.5.
     *
     * @param index pixel row or column
     * @return its center coordinate
     */
    static double pixelCenter(int index) {
        return index + 0.5;
    }

    // ---------------------------------------------------------------------------------------------
    // Weights for the graph writer; the arrays are this world's own and must not be changed.

    float[] mappingWeight(int layer) {
        return mappingWeights[layer];
    }

    float[] mappingBias(int layer) {
        return mappingBiases[layer];
    }

    float[] coarseWeights() {
        return coarseWeights;
    }

    float[] coarseBias() {
        return coarseBias;
    }

    float[] fineWeights() {
        return fineWeights;
    }

    float[] fineBias() {
        return fineBias;
    }

    // ---------------------------------------------------------------------------------------------
    // Styles: the synthesis' per-latent quantities, before rendering.

    private Styles styles(float[] ws, int offset) {
        double[] coarse =
                affine(
                        layerMean(ws, offset, COARSE_LAYERS),
                        coarseWeights,
                        coarseBias,
                        COARSE_OUTPUTS);
        double[] fine =
                affine(layerMean(ws, offset, FINE_LAYERS), fineWeights, fineBias, FINE_OUTPUTS);
        double[] shapes = softmax(Arrays.copyOfRange(coarse, 0, SHAPES));
        double size = MIN_SIZE + (MAX_SIZE - MIN_SIZE) * sigmoid(coarse[SHAPES]);
        double centerX = MIN_CENTER + (MAX_CENTER - MIN_CENTER) * sigmoid(coarse[SHAPES + 1]);
        double centerY = MIN_CENTER + (MAX_CENTER - MIN_CENTER) * sigmoid(coarse[SHAPES + 2]);
        double[] objectColors = softmax(Arrays.copyOfRange(fine, 0, COLORS));
        double[] backgroundLogits = new double[COLORS];
        for (int j = 0; j < COLORS; j++) {
            backgroundLogits[j] = fine[COLORS + j] - BACKGROUND_AVOIDANCE * objectColors[j];
        }
        double[] backgroundColors = softmax(backgroundLogits);
        return new Styles(shapes, size, centerX, centerY, objectColors, backgroundColors);
    }

    /** Per-latent quantities; the probabilities are soft-max outputs, colors in generator units. */
    private static final class Styles {
        final double[] shapeProbabilities;
        final double size;
        final double centerX;
        final double centerY;
        final double[] objectProbabilities;
        final double[] backgroundProbabilities;
        final double[] object = new double[3];
        final double[] background = new double[3];

        Styles(
                double[] shapeProbabilities,
                double size,
                double centerX,
                double centerY,
                double[] objectProbabilities,
                double[] backgroundProbabilities) {
            this.shapeProbabilities = shapeProbabilities;
            this.size = size;
            this.centerX = centerX;
            this.centerY = centerY;
            this.objectProbabilities = objectProbabilities;
            this.backgroundProbabilities = backgroundProbabilities;
            PaletteColor[] palette = PaletteColor.values();
            for (int j = 0; j < palette.length; j++) {
                for (int c = 0; c < 3; c++) {
                    object[c] += objectProbabilities[j] * palette[j].generatorValue(c);
                    background[c] += backgroundProbabilities[j] * palette[j].generatorValue(c);
                }
            }
        }

        WorldAttributes attributes() {
            int s = argMax(shapeProbabilities);
            int o = argMax(objectProbabilities);
            int b = argMax(backgroundProbabilities);
            return new WorldAttributes(
                    Shape.values()[s],
                    size,
                    centerX,
                    centerY,
                    PaletteColor.values()[o],
                    PaletteColor.values()[b],
                    shapeProbabilities[s],
                    objectProbabilities[o],
                    backgroundProbabilities[b]);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Calibration of the read-outs.

    /** The folded read-outs: {@code logits = mean(ws layers) @ weights + bias}. */
    private static final class Calibration {
        float[] coarseWeights;
        float[] coarseBias;
        float[] fineWeights;
        float[] fineBias;

        static Calibration of(float[] w, int rows, SplittableRandom directionRandom) {
            double[] mean = new double[W_DIM];
            for (int r = 0; r < rows; r++) {
                for (int d = 0; d < W_DIM; d++) {
                    mean[d] += w[r * W_DIM + d];
                }
            }
            for (int d = 0; d < W_DIM; d++) {
                mean[d] /= rows;
            }
            double[][] covariance = new double[W_DIM][W_DIM];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < W_DIM; i++) {
                    double di = w[r * W_DIM + i] - mean[i];
                    for (int j = 0; j <= i; j++) {
                        covariance[i][j] += di * (w[r * W_DIM + j] - mean[j]);
                    }
                }
            }
            for (int i = 0; i < W_DIM; i++) {
                for (int j = 0; j <= i; j++) {
                    covariance[i][j] /= rows - 1;
                    covariance[j][i] = covariance[i][j];
                }
            }
            double[][] cholesky = cholesky(covariance);
            // A direction v in whitened space reads (w - mean) through a = L^-T v, since
            // v . L^-1 (w - mean) = (L^-T v) . (w - mean).
            double[][] coarse = readouts(orthonormal(directionRandom, COARSE_OUTPUTS), cholesky);
            double[][] fine = readouts(orthonormal(directionRandom, FINE_OUTPUTS), cholesky);
            double[][] coarseProjections = project(w, rows, mean, coarse);
            double[][] fineProjections = project(w, rows, mean, fine);

            double[] coarseOffsets = new double[COARSE_OUTPUTS];
            double[] coarseGains = new double[COARSE_OUTPUTS];
            balance(coarseProjections, 0, SHAPES, null, coarseOffsets);
            for (int k = 0; k < SHAPES; k++) {
                coarseGains[k] = LOGIT_SHARPNESS;
            }
            for (int k = SHAPES; k < COARSE_OUTPUTS; k++) {
                coarseOffsets[k] = -median(coarseProjections, k);
                coarseGains[k] = RANGE_GAIN;
            }
            double[] fineOffsets = new double[FINE_OUTPUTS];
            double[] fineGains = new double[FINE_OUTPUTS];
            Arrays.fill(fineGains, LOGIT_SHARPNESS);
            balance(fineProjections, 0, COLORS, null, fineOffsets);
            double[][] objectProbabilities = new double[rows][];
            for (int r = 0; r < rows; r++) {
                double[] logits = new double[COLORS];
                for (int j = 0; j < COLORS; j++) {
                    logits[j] = LOGIT_SHARPNESS * (fineProjections[r][j] + fineOffsets[j]);
                }
                objectProbabilities[r] = softmax(logits);
            }
            balance(fineProjections, COLORS, COLORS, objectProbabilities, fineOffsets);

            Calibration out = new Calibration();
            out.coarseWeights = new float[W_DIM * COARSE_OUTPUTS];
            out.coarseBias = new float[COARSE_OUTPUTS];
            fold(coarse, coarseGains, coarseOffsets, mean, out.coarseWeights, out.coarseBias);
            out.fineWeights = new float[W_DIM * FINE_OUTPUTS];
            out.fineBias = new float[FINE_OUTPUTS];
            fold(fine, fineGains, fineOffsets, mean, out.fineWeights, out.fineBias);
            return out;
        }

        /**
         * Tunes the offsets of {@code count} categories starting at column {@code first} until each
         * wins the arg-max about equally often. When {@code avoid} is given (background colors),
         * the arg-max is taken as the synthesis takes it, after the avoidance penalty.
         */
        private static void balance(
                double[][] projections, int first, int count, double[][] avoid, double[] offsets) {
            int rows = projections.length;
            for (int round = 0; round < CALIBRATION_ROUNDS; round++) {
                int[] wins = new int[count];
                double[] logits = new double[count];
                for (int r = 0; r < rows; r++) {
                    for (int k = 0; k < count; k++) {
                        logits[k] =
                                LOGIT_SHARPNESS * (projections[r][first + k] + offsets[first + k]);
                        if (avoid != null) {
                            logits[k] -= BACKGROUND_AVOIDANCE * avoid[r][k];
                        }
                    }
                    wins[argMax(logits)]++;
                }
                for (int k = 0; k < count; k++) {
                    double share = Math.max(wins[k], 1) * (double) count / rows;
                    // A damped multiplicative step: raising a category's offset raises its share
                    // roughly exponentially for near-normal projections.
                    offsets[first + k] -= 0.3 * Math.log(share);
                }
            }
        }

        private static void fold(
                double[][] directions,
                double[] gains,
                double[] offsets,
                double[] mean,
                float[] weights,
                float[] bias) {
            int outputs = directions.length;
            for (int k = 0; k < outputs; k++) {
                double shift = 0;
                for (int d = 0; d < W_DIM; d++) {
                    weights[d * outputs + k] = (float) (gains[k] * directions[k][d]);
                    shift += directions[k][d] * mean[d];
                }
                bias[k] = (float) (gains[k] * (offsets[k] - shift));
            }
        }

        private static double[][] project(
                float[] w, int rows, double[] mean, double[][] directions) {
            double[][] out = new double[rows][directions.length];
            for (int r = 0; r < rows; r++) {
                for (int k = 0; k < directions.length; k++) {
                    double sum = 0;
                    for (int d = 0; d < W_DIM; d++) {
                        sum += directions[k][d] * (w[r * W_DIM + d] - mean[d]);
                    }
                    out[r][k] = sum;
                }
            }
            return out;
        }

        private static double median(double[][] projections, int column) {
            double[] values = new double[projections.length];
            for (int r = 0; r < values.length; r++) {
                values[r] = projections[r][column];
            }
            Arrays.sort(values);
            int n = values.length;
            return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
        }

        /** Lower-triangular L with L L^T = a; a small ridge guards against a degenerate w. */
        private static double[][] cholesky(double[][] a) {
            int n = a.length;
            double trace = 0;
            for (int i = 0; i < n; i++) {
                trace += a[i][i];
            }
            double ridge = 1e-9 * trace / n;
            double[][] l = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    double sum = a[i][j] + (i == j ? ridge : 0);
                    for (int k = 0; k < j; k++) {
                        sum -= l[i][k] * l[j][k];
                    }
                    if (i == j) {
                        if (!(sum > 0)) {
                            throw new IllegalStateException(
                                    "w covariance is not positive definite at " + i);
                        }
                        l[i][i] = Math.sqrt(sum);
                    } else {
                        l[i][j] = sum / l[j][j];
                    }
                }
            }
            return l;
        }

        /** Solves {@code L^T a = v} for each direction by back substitution. */
        private static double[][] readouts(double[][] directions, double[][] l) {
            int n = l.length;
            double[][] out = new double[directions.length][n];
            for (int k = 0; k < directions.length; k++) {
                double[] a = out[k];
                for (int i = n - 1; i >= 0; i--) {
                    double sum = directions[k][i];
                    for (int j = i + 1; j < n; j++) {
                        sum -= l[j][i] * a[j];
                    }
                    a[i] = sum / l[i][i];
                }
            }
            return out;
        }

        /** {@code count} orthonormal vectors of width W_DIM: Gram-Schmidt on normal draws. */
        private static double[][] orthonormal(SplittableRandom random, int count) {
            double[][] out = new double[count][];
            for (int k = 0; k < count; k++) {
                double[] v = new double[W_DIM];
                float[] draw = StandardNormal.sample(random, W_DIM);
                for (int d = 0; d < W_DIM; d++) {
                    v[d] = draw[d];
                }
                for (int j = 0; j < k; j++) {
                    double dot = 0;
                    for (int d = 0; d < W_DIM; d++) {
                        dot += v[d] * out[j][d];
                    }
                    for (int d = 0; d < W_DIM; d++) {
                        v[d] -= dot * out[j][d];
                    }
                }
                double norm = 0;
                for (double x : v) {
                    norm += x * x;
                }
                norm = Math.sqrt(norm);
                for (int d = 0; d < W_DIM; d++) {
                    v[d] /= norm;
                }
                out[k] = v;
            }
            return out;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Small numerics shared by calibration, read-out and rendering.

    private static double[] layerMean(float[] ws, int offset, LayerRange layers) {
        double[] mean = new double[W_DIM];
        for (int layer = layers.start(); layer < layers.end(); layer++) {
            for (int d = 0; d < W_DIM; d++) {
                mean[d] += ws[offset + layer * W_DIM + d];
            }
        }
        int count = layers.end() - layers.start();
        for (int d = 0; d < W_DIM; d++) {
            mean[d] /= count;
        }
        return mean;
    }

    private static double[] affine(double[] x, float[] weights, float[] bias, int outputs) {
        double[] out = new double[outputs];
        for (int k = 0; k < outputs; k++) {
            double sum = bias[k];
            for (int d = 0; d < x.length; d++) {
                sum += x[d] * weights[d * outputs + k];
            }
            out[k] = sum;
        }
        return out;
    }

    /**
     * Soft-max shifted by the maximum, as ONNX Softmax is specified, so sharp logits never
     * overflow.
     */
    static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            max = Math.max(max, v);
        }
        double[] out = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            out[i] = Math.exp(logits[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < logits.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    private static int argMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Uniform values with standard deviation {@code std} (a uniform on [-a, a] has std a /
     * sqrt(3)).
     */
    private static float[] uniform(SplittableRandom random, int n, double std) {
        double a = std * SQRT3;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextDouble(-a, a);
        }
        return x;
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    private static void requireLength(String name, float[] values, long expected) {
        Objects.requireNonNull(values, name);
        if (values.length != expected) {
            throw new IllegalArgumentException(
                    name + " has " + values.length + " values, expected " + expected);
        }
    }

    private static void requireRow(float[] ws, int row) {
        Objects.requireNonNull(ws, "ws");
        int stride = NUM_WS * W_DIM;
        if (ws.length % stride != 0 || row < 0 || row >= ws.length / stride) {
            throw new IllegalArgumentException(
                    "row "
                            + row
                            + " is not in ws of "
                            + ws.length
                            + " values ("
                            + stride
                            + " per row)");
        }
    }
}
