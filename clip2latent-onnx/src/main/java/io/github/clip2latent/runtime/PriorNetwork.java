package io.github.clip2latent.runtime;

import static com.google.common.base.Preconditions.checkArgument;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.BundleManifest;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.diffusion.Denoiser;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The clip2latent prior graph (reference section 3). Thread-safe; owns its session. Sampling goes
 * through a {@link Runner}, one per sampling call, which owns the input and output tensors and
 * reuses them across steps.
 */
public final class PriorNetwork implements AutoCloseable {

    private final StageSession session;
    private final int latentDim;
    private final int conditionDim;

    private PriorNetwork(StageSession session, int latentDim, int conditionDim) {
        this.session = session;
        this.latentDim = latentDim;
        this.conditionDim = conditionDim;
    }

    /** Opens and validates the prior graph of a bundle. */
    public static PriorNetwork open(ModelBundle bundle, SessionFactory sessions)
            throws BundleException {
        PriorNetwork network =
                new PriorNetwork(
                        sessions.open(bundle, Stage.PRIOR),
                        bundle.manifest().latentDim(),
                        bundle.manifest().embeddingDim());
        try {
            network.probeTimesteps(bundle);
        } catch (Throwable e) {
            network.close();
            throw e;
        }
        return network;
    }

    /**
     * Runs the last diffusion step, {@code t = timesteps - 1}, through the graph once: a manifest
     * declaring more steps than the prior's time table otherwise loads and fails later inside ONNX
     * Runtime.
     */
    private void probeTimesteps(ModelBundle bundle) throws BundleException {
        int last = bundle.manifest().timesteps() - 1;
        try (Runner runner = newRunner()) {
            runner.predictX0(
                    new float[latentDim],
                    new long[] {last},
                    new float[conditionDim],
                    new boolean[] {true},
                    1,
                    new float[latentDim]);
        } catch (IllegalStateException e) {
            throw new BundleException(
                    bundle.directory().resolve(BundleManifest.FILE_NAME)
                            + ": schedule.timesteps is "
                            + bundle.manifest().timesteps()
                            + ", but the prior "
                            + bundle.stageFile(Stage.PRIOR)
                            + " rejects the step t = "
                            + last
                            + " (its time table is shorter?): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Width D of x. */
    public int latentDim() {
        return latentDim;
    }

    /** Width C of the condition. */
    public int conditionDim() {
        return conditionDim;
    }

    /** A runner for one sampling call; close it when the call is done. Not thread-safe. */
    public Runner newRunner() {
        return new Runner();
    }

    @Override
    public void close() {
        session.close();
    }

    /**
     * The prior as a {@link Denoiser} for one sampling call. The first call with a given row count
     * allocates direct, native-order buffers, wraps them in tensors without copying, and pins an
     * output tensor; later calls with that row count only copy the inputs in and the prediction
     * out.
     */
    public final class Runner implements Denoiser, AutoCloseable {

        private final Map<Integer, Tensors> byRows = new HashMap<>();

        private Runner() {}

        @Override
        public int latentDim() {
            return latentDim;
        }

        @Override
        public int conditionDim() {
            return conditionDim;
        }

        @Override
        public void predictX0(
                float[] xt,
                long[] timesteps,
                float[] condition,
                boolean[] keep,
                int rows,
                float[] x0) {
            checkArgument(rows >= 1, "rows must be >= 1, got %s", rows);
            Tensors tensors = byRows.get(rows);
            if (tensors == null) {
                tensors = new Tensors(rows);
                byRows.put(rows, tensors);
            }
            tensors.run(xt, timesteps, condition, keep, x0);
        }

        /** Frees every tensor; idempotent. */
        @Override
        public void close() {
            byRows.values().forEach(Tensors::close);
            byRows.clear();
        }

        private final class Tensors {
            private final int rows;
            private final FloatBuffer xtBuffer; // [rows, D]
            private final LongBuffer tBuffer; // [rows]
            private final FloatBuffer conditionBuffer; // [rows, C]
            private final FloatBuffer keepBuffer; // [rows]
            private final FloatBuffer outBuffer; // [rows, D]
            private final Map<String, OnnxTensor> inputs = new HashMap<>();
            private final Map<String, OnnxTensor> pinned = new HashMap<>();

            Tensors(int rows) {
                this.rows = rows;
                xtBuffer = floats(rows * latentDim);
                tBuffer =
                        ByteBuffer.allocateDirect(8 * rows)
                                .order(ByteOrder.nativeOrder())
                                .asLongBuffer();
                conditionBuffer = floats(rows * conditionDim);
                keepBuffer = floats(rows);
                outBuffer = floats(rows * latentDim);
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                try {
                    inputs.put(
                            session.input(0),
                            OnnxTensor.createTensor(env, xtBuffer, new long[] {rows, latentDim}));
                    inputs.put(
                            session.input(1),
                            OnnxTensor.createTensor(env, tBuffer, new long[] {rows}));
                    inputs.put(
                            session.input(2),
                            OnnxTensor.createTensor(
                                    env, conditionBuffer, new long[] {rows, conditionDim}));
                    inputs.put(
                            session.input(3),
                            OnnxTensor.createTensor(env, keepBuffer, new long[] {rows}));
                    pinned.put(
                            session.output(0),
                            OnnxTensor.createTensor(env, outBuffer, new long[] {rows, latentDim}));
                } catch (OrtException e) {
                    close();
                    throw session.runFailure(e, rows);
                }
            }

            void run(float[] xt, long[] timesteps, float[] condition, boolean[] keep, float[] x0) {
                xtBuffer.clear();
                xtBuffer.put(xt, 0, rows * latentDim);
                tBuffer.clear();
                tBuffer.put(timesteps, 0, rows);
                conditionBuffer.clear();
                conditionBuffer.put(condition, 0, rows * conditionDim);
                keepBuffer.clear();
                for (int r = 0; r < rows; r++) {
                    keepBuffer.put(keep[r] ? 1f : 0f);
                }
                try (OrtSession.Result ignored = session.run(inputs, pinned, rows)) {
                    outBuffer.clear();
                    outBuffer.get(x0, 0, rows * latentDim);
                }
            }

            void close() {
                inputs.values().forEach(OnnxTensor::close);
                pinned.values().forEach(OnnxTensor::close);
                inputs.clear();
                pinned.clear();
            }

            private FloatBuffer floats(int count) {
                return ByteBuffer.allocateDirect(4 * count)
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
            }
        }
    }
}
