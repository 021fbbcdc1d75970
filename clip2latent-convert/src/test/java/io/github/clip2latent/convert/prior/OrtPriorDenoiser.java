package io.github.clip2latent.convert.prior;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.diffusion.Denoiser;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;

/** A real ONNX Runtime session on an imported prior graph, as a core {@link Denoiser}. */
final class OrtPriorDenoiser implements Denoiser, AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    private final OrtSession session;
    private final int dim;
    int calls;

    OrtPriorDenoiser(Path graph, int dim) throws OrtException {
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        this.session = env.createSession(graph.toString(), options);
        this.dim = dim;
    }

    @Override
    public int latentDim() {
        return dim;
    }

    @Override
    public int conditionDim() {
        return dim;
    }

    @Override
    public void predictX0(
            float[] xt, long[] timesteps, float[] condition, boolean[] keep, int rows, float[] x0) {
        float[] keepF = new float[rows];
        for (int i = 0; i < rows; i++) {
            keepF[i] = keep[i] ? 1f : 0f;
        }
        long[] shape = {rows, dim};
        try (OnnxTensor x =
                        OnnxTensor.createTensor(env, FloatBuffer.wrap(xt, 0, rows * dim), shape);
                OnnxTensor t =
                        OnnxTensor.createTensor(
                                env, LongBuffer.wrap(timesteps, 0, rows), new long[] {rows});
                OnnxTensor c =
                        OnnxTensor.createTensor(
                                env, FloatBuffer.wrap(condition, 0, rows * dim), shape);
                OnnxTensor k =
                        OnnxTensor.createTensor(env, FloatBuffer.wrap(keepF), new long[] {rows});
                OrtSession.Result r =
                        session.run(
                                Map.of(
                                        PriorGraphWriter.INPUT_X_T, x,
                                        PriorGraphWriter.INPUT_T, t,
                                        PriorGraphWriter.INPUT_CONDITION, c,
                                        PriorGraphWriter.INPUT_KEEP, k))) {
            FloatBuffer out =
                    ((OnnxTensor) r.get(PriorGraphWriter.OUTPUT_X0).get()).getFloatBuffer();
            out.get(x0, 0, rows * dim);
            calls++;
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Convenience: one call with a per-row keep mask. */
    float[] run(float[] xt, long[] t, float[] cond, boolean[] keep) {
        float[] out = new float[xt.length];
        predictX0(xt, t, cond, keep, t.length, out);
        return out;
    }

    @Override
    public void close() throws OrtException {
        session.close();
        options.close();
    }
}
