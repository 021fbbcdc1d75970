package io.github.clip2latent.train.model;

import io.github.clip2latent.diffusion.Denoiser;

import java.util.Objects;

/**
 * A {@link Denoiser} backed by a {@link TrainablePrior}, so the core samplers (DDPM, DDIM,
 * guidance) sample from a network while it trains: validation loads the EMA weights into a second
 * {@code TrainablePrior} ({@link TrainablePrior#loadWeights}) and samples through this adapter.
 *
 * <p>Only adapts types: the Denoiser's {@code long} steps and {@code boolean} keep flags become the
 * graph's {@code int32} and {@code float} placeholders. Not thread-safe, as the network it wraps.
 */
public final class TrainablePriorDenoiser implements Denoiser {

    private final TrainablePrior network;

    private TrainablePriorDenoiser(TrainablePrior network) {
        this.network = network;
    }

    /**
     * Wraps a network; later weight changes of the network are seen by later calls.
     *
     * @param network the network whose prediction is x0 (reference section 2, {@code
     *     predict_x_start})
     * @return the denoiser
     */
    public static TrainablePriorDenoiser of(TrainablePrior network) {
        return new TrainablePriorDenoiser(Objects.requireNonNull(network, "network"));
    }

    /** The wrapped network. */
    public TrainablePrior network() {
        return network;
    }

    @Override
    public int latentDim() {
        return network.config().dim();
    }

    @Override
    public int conditionDim() {
        return network.config().dim();
    }

    @Override
    public void predictX0(
            float[] xt, long[] timesteps, float[] condition, boolean[] keep, int rows, float[] x0) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        int d = latentDim();
        int[] t = new int[rows];
        float[] keepFlags = new float[rows];
        for (int r = 0; r < rows; r++) {
            long step = timesteps[r];
            if (step < 0 || step >= network.config().timesteps()) {
                throw new IllegalArgumentException(
                        "timestep of row "
                                + r
                                + " must be in [0, "
                                + network.config().timesteps()
                                + "), got "
                                + step);
            }
            t[r] = (int) step;
            keepFlags[r] = keep[r] ? 1f : 0f;
        }
        // The arrays may be longer than rows (Denoiser contract); the graph takes exact sizes.
        float[] prediction =
                network.predict(
                        java.util.Arrays.copyOf(xt, rows * d),
                        t,
                        java.util.Arrays.copyOf(condition, rows * d),
                        keepFlags);
        System.arraycopy(prediction, 0, x0, 0, rows * d);
    }
}
