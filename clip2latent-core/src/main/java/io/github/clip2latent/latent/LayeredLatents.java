package io.github.clip2latent.latent;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Operations on per-layer latents ws {@code [rows, numWs, D]} (row-major, flat): broadcasting w to
 * every layer and style mixing (reference section 6).
 */
public final class LayeredLatents {

    private LayeredLatents() {}

    /** Repeats each w row to {@code numWs} layers: {@code [rows, D] -> [rows, numWs, D]}. */
    public static float[] broadcast(float[] w, int rows, int numWs, int dim) {
        checkArgument(numWs >= 1, "numWs must be >= 1, got %s", numWs);
        checkArgument(
                w.length >= rows * dim,
                "w has %s values, need rows x dim = %s x %s",
                w.length,
                rows,
                dim);
        float[] ws = new float[rows * numWs * dim];
        for (int r = 0; r < rows; r++) {
            for (int l = 0; l < numWs; l++) {
                System.arraycopy(w, r * dim, ws, (r * numWs + l) * dim, dim);
            }
        }
        return ws;
    }

    /**
     * Style mixing: copies the layers in {@code layers} from {@code donor} into {@code ws}, in
     * place; the other layers are untouched. The reference mixes a random w into the fine layers
     * (color, lighting) and keeps the generated w on the coarse layers.
     *
     * @param ws {@code [rows, numWs, D]}
     * @param donor {@code [rows, numWs, D]}
     */
    public static void styleMixInPlace(
            float[] ws, float[] donor, int rows, int numWs, int dim, LayerRange layers) {
        layers.checkWithin(numWs);
        int size = rows * numWs * dim;
        checkArgument(
                ws.length >= size && donor.length >= size,
                "ws and donor need rows x numWs x dim = %s x %s x %s values, got %s and %s",
                rows,
                numWs,
                dim,
                ws.length,
                donor.length);
        int span = (layers.end() - layers.start()) * dim;
        for (int r = 0; r < rows; r++) {
            int offset = (r * numWs + layers.start()) * dim;
            System.arraycopy(donor, offset, ws, offset, span);
        }
    }
}
