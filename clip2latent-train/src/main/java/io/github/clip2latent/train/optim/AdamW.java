package io.github.clip2latent.train.optim;

import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * AdamW with PyTorch semantics (reference section 2): for each parameter {@code p -= lr * wd * p}
 * (only rank >= 2), then {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2}, {@code p
 * -= (lr / (1 - b1^k)) * m / (sqrt(v) / sqrt(1 - b2^k) + eps)} at step k (1-based).
 *
 * <p>Every update is in place: parameters, moments, and the gradients, which serve as scratch
 * (about ten passes over each parameter, no per-step allocation). libnd4j's fused {@code
 * adam_updater} would be one pass, but it computes {@code 1 - beta2} in float32 (0.00099998713
 * instead of 0.001), a 1.3e-5 relative deviation in the second moment from PyTorch; this class
 * keeps PyTorch's numbers. Not thread-safe.
 */
public final class AdamW {

    private final AdamWConfig config;
    private final Map<String, long[]> shapes;
    private final Map<String, INDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, INDArray> secondMoments = new LinkedHashMap<>();
    private final Level1 blas = Nd4j.getBlasWrapper().level1();
    private long step;

    /**
     * Creates an optimizer with zero moments for the given parameters.
     *
     * @param config hyperparameters
     * @param shapes parameter name to shape, in the order moments are stored
     */
    public AdamW(AdamWConfig config, Map<String, long[]> shapes) {
        this.config = Objects.requireNonNull(config, "config");
        this.shapes = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long[] shape = e.getValue().clone();
            this.shapes.put(e.getKey(), shape);
            firstMoments.put(e.getKey(), Nd4j.zeros(DataType.FLOAT, shape));
            secondMoments.put(e.getKey(), Nd4j.zeros(DataType.FLOAT, shape));
        }
    }

    /** The hyperparameters. */
    public AdamWConfig config() {
        return config;
    }

    /** Number of updates applied so far (PyTorch's {@code state['step']}). */
    public long stepCount() {
        return step;
    }

    /**
     * Applies one update to every parameter in place.
     *
     * @param parameters name to live parameter array; must hold every name given at construction
     * @param gradients name to gradient, same shapes; used as scratch and left holding garbage
     */
    public void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients) {
        step++;
        double lr = config.learningRate();
        double b1 = config.beta1();
        double b2 = config.beta2();
        // Bias corrections in double, as PyTorch computes them in Python floats.
        double stepSize = lr / (1 - Math.pow(b1, step));
        double bc2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            INDArray p = require(parameters, name, "parameter");
            INDArray g = require(gradients, name, "gradient");
            if (!Arrays.equals(p.shape(), e.getValue())
                    || !Arrays.equals(g.shape(), e.getValue())) {
                throw new IllegalArgumentException(
                        "shape mismatch for "
                                + name
                                + ": expected "
                                + Arrays.toString(e.getValue())
                                + ", parameter "
                                + Arrays.toString(p.shape())
                                + ", gradient "
                                + Arrays.toString(g.shape()));
            }
            if (e.getValue().length >= 2 && config.weightDecay() != 0) {
                p.muli(1 - lr * config.weightDecay());
            }
            if (g.isView() || g.ordering() != 'c') {
                g = g.dup('c');
            }
            INDArray m = firstMoments.get(name);
            INDArray v = secondMoments.get(name);
            long n = g.length();
            // Same float32 operations and coefficient roundings as torch.optim.AdamW (single
            // tensor):
            // exp_avg.lerp_(grad, 1 - b1) ~ mul_(b1).add_(grad, alpha=1 - b1)
            m.muli(b1);
            blas.axpy(n, 1 - b1, g, m);
            // exp_avg_sq.mul_(b2).addcmul_(grad, grad, value=1 - b2)
            g.muli(g);
            v.muli(b2);
            blas.axpy(n, 1 - b2, g, v);
            // denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps), built in the
            // gradient's buffer
            Nd4j.exec(new Sqrt(v, g));
            g.divi(bc2Sqrt).addi(config.eps());
            // param.addcdiv_(exp_avg, denom, value=-step_size)
            g.rdivi(m);
            blas.axpy(n, -stepSize, g, p);
        }
    }

    /**
     * Copies the moments out for a checkpoint.
     *
     * @return name to row-major first moment
     */
    public Map<String, float[]> firstMoments() {
        return copy(firstMoments);
    }

    /**
     * Copies the moments out for a checkpoint.
     *
     * @return name to row-major second moment
     */
    public Map<String, float[]> secondMoments() {
        return copy(secondMoments);
    }

    /**
     * Restores the state saved by {@link #firstMoments()}, {@link #secondMoments()} and {@link
     * #stepCount()}.
     *
     * @param stepCount updates applied so far, {@code >= 0}
     * @param first first moments by name
     * @param second second moments by name
     */
    public void restore(long stepCount, Map<String, float[]> first, Map<String, float[]> second) {
        if (stepCount < 0) {
            throw new IllegalArgumentException("stepCount must be >= 0, got " + stepCount);
        }
        load(firstMoments, first, "first moment");
        load(secondMoments, second, "second moment");
        this.step = stepCount;
    }

    private void load(Map<String, INDArray> target, Map<String, float[]> source, String what) {
        for (Map.Entry<String, INDArray> e : target.entrySet()) {
            float[] data = source.get(e.getKey());
            if (data == null || data.length != e.getValue().length()) {
                throw new IllegalArgumentException(
                        what
                                + " of "
                                + e.getKey()
                                + " must have "
                                + e.getValue().length()
                                + " values, got "
                                + (data == null ? "none" : data.length));
            }
            e.getValue().assign(Nd4j.create(data, e.getValue().shape(), 'c'));
        }
    }

    private static Map<String, float[]> copy(Map<String, INDArray> arrays) {
        Map<String, float[]> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.dup('c').data().asFloat()));
        return out;
    }

    private static INDArray require(Map<String, INDArray> map, String name, String what) {
        INDArray a = map.get(name);
        if (a == null) {
            throw new IllegalArgumentException("missing " + what + ": " + name);
        }
        return a;
    }
}
