package io.github.clip2latent.diffusion;

import java.util.ArrayList;
import java.util.List;

/**
 * An analytic denoiser for tests: {@code x0[d] = a x_t[d] + (keep ? b c[d mod C] : 0) + t / 1000},
 * with the rows of every call recorded. Different for kept and dropped conditions, so guidance is
 * visible.
 */
final class RecordingDenoiser implements Denoiser {

    final int dim;
    final int conditionDim;
    final float a;
    final float b;
    final List<Integer> callRows = new ArrayList<>();

    RecordingDenoiser(int dim, int conditionDim, float a, float b) {
        this.dim = dim;
        this.conditionDim = conditionDim;
        this.a = a;
        this.b = b;
    }

    @Override
    public int latentDim() {
        return dim;
    }

    @Override
    public int conditionDim() {
        return conditionDim;
    }

    @Override
    public void predictX0(
            float[] xt, long[] timesteps, float[] condition, boolean[] keep, int rows, float[] x0) {
        callRows.add(rows);
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < dim; d++) {
                float c = keep[r] ? b * condition[r * conditionDim + d % conditionDim] : 0f;
                x0[r * dim + d] = a * xt[r * dim + d] + c + timesteps[r] / 1000f;
            }
        }
    }

    /** The prediction for one row, computed independently of any batching. */
    float expected(float xt, float condition, boolean keep, int t) {
        return a * xt + (keep ? b * condition : 0f) + t / 1000f;
    }
}
