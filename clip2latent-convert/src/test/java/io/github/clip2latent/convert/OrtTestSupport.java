package io.github.clip2latent.convert;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs a model file through a real ONNX Runtime session and returns one float output. */
public final class OrtTestSupport {

    private OrtTestSupport() {}

    /** A float output with its shape. */
    public record FloatOutput(long[] shape, float[] data) {}

    /** A named input: float or int64 data with a shape. */
    public record Input(String name, long[] shape, float[] floats, long[] longs) {
        /**
         * A float input.
         *
         * @param name graph input name
         * @param data values, row-major
         * @param shape dimensions
         * @return the input
         */
        public static Input floats(String name, float[] data, long... shape) {
            return new Input(name, shape, data, null);
        }

        /**
         * An int64 input.
         *
         * @param name graph input name
         * @param data values, row-major
         * @param shape dimensions
         * @return the input
         */
        public static Input longs(String name, long[] data, long... shape) {
            return new Input(name, shape, null, data);
        }
    }

    /**
     * Opens a session on {@code model}, feeds the inputs, returns {@code output}; closes
     * everything.
     *
     * @param model the ONNX file
     * @param output the output to read
     * @param inputs the feeds
     * @return the output's shape and values
     * @throws OrtException when ONNX Runtime fails
     */
    public static FloatOutput run(Path model, String output, Input... inputs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            // Two cores shared with other builds: keep ONNX Runtime to one thread per session.
            opts.setIntraOpNumThreads(1);
            opts.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toString(), opts)) {
                Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                try {
                    for (Input in : inputs) {
                        OnnxTensor tensor =
                                in.floats() != null
                                        ? OnnxTensor.createTensor(
                                                env, FloatBuffer.wrap(in.floats()), in.shape())
                                        : OnnxTensor.createTensor(
                                                env, LongBuffer.wrap(in.longs()), in.shape());
                        feed.put(in.name(), tensor);
                    }
                    try (OrtSession.Result result = session.run(feed)) {
                        OnnxTensor out =
                                (OnnxTensor)
                                        result.get(output)
                                                .orElseThrow(
                                                        () ->
                                                                new IllegalStateException(
                                                                        "no output " + output));
                        FloatBuffer buffer = out.getFloatBuffer();
                        float[] data = new float[buffer.remaining()];
                        buffer.get(data);
                        return new FloatOutput(out.getInfo().getShape(), data);
                    }
                } finally {
                    for (OnnxTensor t : feed.values()) {
                        t.close();
                    }
                }
            }
        }
    }
}
