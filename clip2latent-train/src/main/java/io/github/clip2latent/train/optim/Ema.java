package io.github.clip2latent.train.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Exponential moving average of parameters: after optimizer step k, {@code ema = online} while
 * {@code k <= startStep}, else {@code ema = beta ema + (1 - beta) online} (reference section 2).
 *
 * <p>Unlike the reference, the average starts as a copy of the online weights. The reference never
 * copies them in (fixed upstream later), so its average starts from weights unrelated to the
 * trained ones and, at beta 0.99999, still carries most of them after 100k steps ({@code
 * 0.99999^100000 = 0.37}). Not thread-safe.
 */
public final class Ema {

    private final EmaConfig config;
    private final Map<String, INDArray> average = new LinkedHashMap<>();

    /**
     * Creates an average initialized from the online weights.
     *
     * @param config decay and start step
     * @param online the live parameters; copied, not retained
     */
    public Ema(EmaConfig config, Map<String, INDArray> online) {
        this.config = Objects.requireNonNull(config, "config");
        online.forEach((name, array) -> average.put(name, array.dup('c')));
    }

    /** The decay and start step. */
    public EmaConfig config() {
        return config;
    }

    /**
     * Updates the average in place after an optimizer step.
     *
     * @param step the number of optimizer steps completed, counting the one just made (1-based)
     * @param online the live parameters
     */
    public void update(long step, Map<String, INDArray> online) {
        for (Map.Entry<String, INDArray> e : average.entrySet()) {
            INDArray p = online.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("missing parameter: " + e.getKey());
            }
            if (step <= config.startStep()) {
                e.getValue().assign(p);
            } else {
                // beta (ema - online) + online = beta ema + (1 - beta) online, with no temporary.
                e.getValue().subi(p).muli(config.beta()).addi(p);
            }
        }
    }

    /**
     * Copies the averaged weights out.
     *
     * @return name to row-major data
     */
    public Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        average.forEach((k, v) -> out.put(k, v.dup('c').data().asFloat()));
        return out;
    }

    /**
     * Overwrites the average, e.g. when resuming from a checkpoint.
     *
     * @param weights name to row-major data for every averaged parameter
     */
    public void restore(Map<String, float[]> weights) {
        for (Map.Entry<String, INDArray> e : average.entrySet()) {
            float[] data = weights.get(e.getKey());
            if (data == null || data.length != e.getValue().length()) {
                throw new IllegalArgumentException(
                        "EMA weight "
                                + e.getKey()
                                + " must have "
                                + e.getValue().length()
                                + " values, got "
                                + (data == null ? "none" : data.length));
            }
            e.getValue().assign(Nd4j.create(data, e.getValue().shape(), 'c'));
        }
    }
}
