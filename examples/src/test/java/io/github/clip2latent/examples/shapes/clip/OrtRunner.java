package io.github.clip2latent.examples.shapes.clip;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.convert.graph.OnnxModel;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/** Runs an exported encoder through ONNX Runtime (one thread: the cores are shared). */
final class OrtRunner {

    private OrtRunner() {}

    static float[] runFloat(
            OnnxModel model, String input, float[] data, long[] shape, String output)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape)) {
            return run(env, model, input, tensor, output);
        }
    }

    static float[] runLong(OnnxModel model, String input, long[] data, long[] shape, String output)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape)) {
            return run(env, model, input, tensor, output);
        }
    }

    private static float[] run(
            OrtEnvironment env, OnnxModel model, String input, OnnxTensor tensor, String output)
            throws OrtException {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            opts.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toByteArray(), opts);
                    OrtSession.Result result = session.run(Map.of(input, tensor))) {
                OnnxTensor out = (OnnxTensor) result.get(output).orElseThrow();
                FloatBuffer buffer = out.getFloatBuffer();
                float[] values = new float[buffer.remaining()];
                buffer.get(values);
                return values;
            }
        }
    }
}
