package io.github.clip2latent.train.loop;

import java.util.Objects;

/**
 * A {@link SampleSource} over row-major float arrays {@code w [rows, latentDim]} and {@code e
 * [rows, conditionDim]}. The arrays are used as they are, not copied: do not modify them while
 * training.
 */
public final class InMemorySamples implements SampleSource {

    private final float[] latents;
    private final float[] conditions;
    private final int rows;
    private final int latentDim;
    private final int conditionDim;

    /**
     * Wraps the arrays.
     *
     * @param latents row-major w latents, length {@code rows * latentDim}
     * @param conditions row-major condition embeddings, length {@code rows * conditionDim}
     * @param latentDim width of a latent, {@code >= 1}
     * @param conditionDim width of a condition, {@code >= 1}
     */
    public InMemorySamples(float[] latents, float[] conditions, int latentDim, int conditionDim) {
        this.latents = Objects.requireNonNull(latents, "latents");
        this.conditions = Objects.requireNonNull(conditions, "conditions");
        if (latentDim < 1 || conditionDim < 1) {
            throw new IllegalArgumentException(
                    "dims must be >= 1, got latentDim "
                            + latentDim
                            + ", conditionDim "
                            + conditionDim);
        }
        if (latents.length % latentDim != 0 || latents.length == 0) {
            throw new IllegalArgumentException(
                    "latents length "
                            + latents.length
                            + " is not a positive multiple of latentDim "
                            + latentDim);
        }
        this.rows = latents.length / latentDim;
        if (conditions.length != (long) rows * conditionDim) {
            throw new IllegalArgumentException(
                    "conditions must have "
                            + rows
                            + " x "
                            + conditionDim
                            + " values to match the latents, got "
                            + conditions.length);
        }
        this.latentDim = latentDim;
        this.conditionDim = conditionDim;
    }

    @Override
    public long size() {
        return rows;
    }

    @Override
    public int latentDim() {
        return latentDim;
    }

    @Override
    public int conditionDim() {
        return conditionDim;
    }

    @Override
    public void read(
            long row, float[] latent, int latentOffset, float[] condition, int conditionOffset) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row must be in [0, " + rows + "), got " + row);
        }
        System.arraycopy(latents, (int) row * latentDim, latent, latentOffset, latentDim);
        System.arraycopy(
                conditions, (int) row * conditionDim, condition, conditionOffset, conditionDim);
    }
}
