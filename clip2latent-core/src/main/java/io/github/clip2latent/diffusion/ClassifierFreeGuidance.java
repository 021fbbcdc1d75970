package io.github.clip2latent.diffusion;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;

/**
 * Classifier-free guidance on the x0 prediction, {@code x0 = null + s (cond - null)} (reference
 * section 4), with the conditional and unconditional passes batched into ONE denoiser call of 2B
 * rows (the reference runs them one after the other). With {@code s = 1} only the conditional pass
 * runs, as one call of B rows.
 *
 * <p>The unconditional rows carry the dropped condition (key masked, as in training), or a negative
 * embedding when one is given ("negative prompt": {@code x0 = neg + s (cond - neg)}).
 *
 * <p>One instance serves one sampling call: it owns the 2B-row input and output buffers, which are
 * reused across steps (the conditions and masks are written once, at construction). Not
 * thread-safe.
 */
public final class ClassifierFreeGuidance implements X0Predictor {

    /** How the conditional and unconditional passes reach the denoiser when the scale is not 1. */
    public enum Batching {
        /** One call of 2B rows (the default). */
        BATCHED,
        /**
         * Two calls of B rows, conditional then unconditional: the reference's way, kept for
         * comparison.
         */
        SEQUENTIAL
    }

    private final Denoiser denoiser;
    private final Batching batching;
    private final float scale;
    private final int rows;
    private final int dim;
    private final int callRows;
    private final float[] xt;
    private final long[] timesteps;
    private final float[] conditions;
    private final boolean[] keep;
    private final float[] predictions;

    private ClassifierFreeGuidance(
            Denoiser denoiser,
            float scale,
            float[] condition,
            float[] negative,
            int rows,
            Batching batching) {
        this.denoiser = checkNotNull(denoiser, "denoiser");
        this.batching = checkNotNull(batching, "batching");
        checkArgument(
                Float.isFinite(scale) && scale >= 0,
                "guidance scale must be finite and >= 0, got %s",
                scale);
        checkArgument(rows >= 1, "rows must be >= 1, got %s", rows);
        this.scale = scale;
        this.rows = rows;
        this.dim = denoiser.latentDim();
        int conditionDim = denoiser.conditionDim();
        checkNotNull(condition, "condition");
        checkArgument(
                condition.length == rows * conditionDim,
                "condition has %s values, expected rows x condition dim = %s x %s",
                condition.length,
                rows,
                conditionDim);
        checkArgument(
                negative == null || negative.length == rows * conditionDim,
                "negative condition has %s values, expected rows x condition dim = %s x %s",
                negative == null ? 0 : negative.length,
                rows,
                conditionDim);
        this.callRows = scale == 1f ? rows : 2 * rows;
        this.xt = new float[callRows * dim];
        this.timesteps = new long[callRows];
        this.conditions = new float[callRows * conditionDim];
        this.keep = new boolean[callRows];
        this.predictions = new float[callRows * dim];
        System.arraycopy(condition, 0, conditions, 0, condition.length);
        Arrays.fill(keep, 0, rows, true);
        if (callRows > rows) {
            // Unconditional rows: the condition is masked, so its value does not matter; a negative
            // embedding is kept instead.
            System.arraycopy(
                    negative != null ? negative : condition,
                    0,
                    conditions,
                    condition.length,
                    condition.length);
            Arrays.fill(keep, rows, callRows, negative != null);
        }
    }

    /**
     * Guidance with the dropped condition as the unconditional branch.
     *
     * @param condition {@code [rows, C]}
     */
    public static ClassifierFreeGuidance of(
            Denoiser denoiser, float scale, float[] condition, int rows) {
        return new ClassifierFreeGuidance(denoiser, scale, condition, null, rows, Batching.BATCHED);
    }

    /**
     * Guidance away from a negative embedding: the unconditional rows keep {@code negative}.
     *
     * @param negative {@code [rows, C]}, or {@code null} for the dropped condition
     */
    public static ClassifierFreeGuidance withNegative(
            Denoiser denoiser, float scale, float[] condition, float[] negative, int rows) {
        return new ClassifierFreeGuidance(
                denoiser, scale, condition, negative, rows, Batching.BATCHED);
    }

    /**
     * Guidance with an explicit batching of the two passes.
     *
     * @param negative {@code [rows, C]}, or {@code null} for the dropped condition
     */
    public static ClassifierFreeGuidance create(
            Denoiser denoiser,
            float scale,
            float[] condition,
            float[] negative,
            int rows,
            Batching batching) {
        return new ClassifierFreeGuidance(denoiser, scale, condition, negative, rows, batching);
    }

    /** Rows passed to the denoiser per call: B for scale 1 or sequential batching, else 2B. */
    public int rowsPerCall() {
        return batching == Batching.SEQUENTIAL ? rows : callRows;
    }

    @Override
    public void predictX0(float[] x, int timestep, float[] x0) {
        int n = rows * dim;
        System.arraycopy(x, 0, xt, 0, n);
        if (callRows > rows) {
            System.arraycopy(x, 0, xt, n, n);
        }
        Arrays.fill(timesteps, timestep);
        if (callRows > rows && batching == Batching.SEQUENTIAL) {
            predictSequentially();
        } else {
            denoiser.predictX0(xt, timesteps, conditions, keep, callRows, predictions);
        }
        if (callRows == rows) {
            System.arraycopy(predictions, 0, x0, 0, n);
            return;
        }
        // x0 = null + s (cond - null), reference section 4.
        for (int i = 0; i < n; i++) {
            float uncond = predictions[n + i];
            x0[i] = uncond + scale * (predictions[i] - uncond);
        }
    }

    private float[] uncondXt;
    private long[] uncondTimesteps;
    private float[] uncondConditions;
    private boolean[] uncondKeep;
    private float[] uncondPredictions;

    /**
     * The reference's two passes; the unconditional half is copied to arrays that start at row 0.
     */
    private void predictSequentially() {
        int n = rows * dim;
        int c = conditions.length / callRows;
        if (uncondXt == null) {
            uncondXt = new float[n];
            uncondTimesteps = new long[rows];
            uncondConditions = Arrays.copyOfRange(conditions, rows * c, callRows * c);
            uncondKeep = Arrays.copyOfRange(keep, rows, callRows);
            uncondPredictions = new float[n];
        }
        denoiser.predictX0(xt, timesteps, conditions, keep, rows, predictions);
        System.arraycopy(xt, n, uncondXt, 0, n);
        System.arraycopy(timesteps, rows, uncondTimesteps, 0, rows);
        denoiser.predictX0(
                uncondXt, uncondTimesteps, uncondConditions, uncondKeep, rows, uncondPredictions);
        System.arraycopy(uncondPredictions, 0, predictions, n, n);
    }
}
