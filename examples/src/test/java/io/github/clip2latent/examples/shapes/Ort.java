package io.github.clip2latent.examples.shapes;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.convert.graph.OnnxModel;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * A real ONNX Runtime session over an in-memory model, with one float input and one float output.
 */
final class Ort implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession.SessionOptions options;
    private final OrtSession session;

    Ort(OnnxModel model) throws OrtException {
        options = new OrtSession.SessionOptions();
        // Two cores shared with other builds: one thread per session.
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        OrtSession opened;
        try {
            opened = env.createSession(model.toByteArray(), options);
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
        session = opened;
    }

    float[] run(String input, float[] data, long[] shape, String output) throws OrtException {
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
                OrtSession.Result result = session.run(Map.of(input, tensor))) {
            OnnxTensor out =
                    (OnnxTensor)
                            result.get(output)
                                    .orElseThrow(
                                            () -> new IllegalStateException("no output " + output));
            FloatBuffer buffer = out.getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return values;
        }
    }

    @Override
    public void close() throws OrtException {
        try {
            session.close();
        } finally {
            options.close();
        }
    }
}
