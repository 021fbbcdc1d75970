package io.github.clip2latent.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.bundle.StageSpec;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * One ONNX Runtime session with its options, validated against its stage's spec; the unit every
 * stage class owns. {@link #close()} closes both and is idempotent.
 */
final class StageSession implements AutoCloseable {

    private final Stage stage;
    private final Path file;
    private final StageSpec spec;
    private final OrtSession session;
    private final OrtSession.SessionOptions options;
    private final CallTracker calls;

    /**
     * Sessions created and not yet closed, across the JVM; see {@link
     * SessionFactory#openSessionCount()}.
     */
    static final java.util.concurrent.atomic.AtomicInteger OPEN =
            new java.util.concurrent.atomic.AtomicInteger();

    StageSession(
            Stage stage,
            Path file,
            StageSpec spec,
            OrtSession session,
            OrtSession.SessionOptions options) {
        this.stage = stage;
        this.file = file;
        this.spec = spec;
        this.session = session;
        this.options = options;
        this.calls = new CallTracker("the session of stage " + stage.key() + " (" + file + ")");
        OPEN.incrementAndGet();
    }

    Stage stage() {
        return stage;
    }

    Path file() {
        return file;
    }

    StageSpec spec() {
        return spec;
    }

    /**
     * Runs the session with pinned outputs; the call is tracked, so {@link #close()} waits for it.
     *
     * @throws IllegalStateException if the session is closed, or ONNX Runtime fails (naming the
     *     stage and file)
     */
    OrtSession.Result run(
            Map<String, ? extends ai.onnxruntime.OnnxTensorLike> inputs,
            Map<String, ? extends ai.onnxruntime.OnnxValue> pinned,
            int rows) {
        calls.enter();
        try {
            return session.run(inputs, pinned);
        } catch (OrtException e) {
            throw runFailure(e, rows);
        } finally {
            calls.exit();
        }
    }

    /** Name of the i-th declared input. */
    String input(int i) {
        return spec.inputs().get(i).name();
    }

    /** Name of the i-th declared output. */
    String output(int i) {
        return spec.outputs().get(i).name();
    }

    /**
     * Runs a one-input graph and returns its first declared output as a new array.
     *
     * @param values the input values, row-major
     * @param shape the input shape, first dimension the rows
     */
    float[] runFloat(float[] values, long[] shape) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        calls.enter();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
                OrtSession.Result result = session.run(Map.of(input(0), tensor))) {
            return readFloats(result);
        } catch (OrtException e) {
            throw runFailure(e, (int) shape[0]);
        } finally {
            calls.exit();
        }
    }

    /**
     * Runs a graph with float inputs fed by name and returns its first declared output as a new
     * array. Direct buffers are read in place; heap buffers are copied by ONNX Runtime.
     *
     * @param names the input names
     * @param values each input's values, row-major, exactly the shape's element count remaining
     * @param shapes each input's shape
     * @param rows the batch rows, for messages
     */
    float[] runFloats(String[] names, FloatBuffer[] values, long[][] shapes, int rows) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OnnxTensor[] tensors = new OnnxTensor[names.length];
        calls.enter();
        try {
            Map<String, OnnxTensor> feed = new java.util.HashMap<>();
            for (int i = 0; i < names.length; i++) {
                tensors[i] = OnnxTensor.createTensor(env, values[i], shapes[i]);
                feed.put(names[i], tensors[i]);
            }
            try (OrtSession.Result result = session.run(feed)) {
                return readFloats(result);
            }
        } catch (OrtException e) {
            throw runFailure(e, rows);
        } finally {
            for (OnnxTensor t : tensors) {
                if (t != null) {
                    t.close();
                }
            }
            calls.exit();
        }
    }

    /** Runs a one-input int64 graph and returns its first declared output. */
    float[] runLong(long[] values, long[] shape) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        calls.enter();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
                OrtSession.Result result = session.run(Map.of(input(0), tensor))) {
            return readFloats(result);
        } catch (OrtException e) {
            throw runFailure(e, (int) shape[0]);
        } finally {
            calls.exit();
        }
    }

    private float[] readFloats(OrtSession.Result result) {
        OnnxTensor out =
                (OnnxTensor)
                        result.get(output(0))
                                .orElseThrow(
                                        () ->
                                                new IllegalStateException(
                                                        "stage "
                                                                + stage.key()
                                                                + " ("
                                                                + file
                                                                + ") returned no output '"
                                                                + output(0)
                                                                + "'"));
        FloatBuffer buffer = out.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    /** Wraps a failed run into an exception naming the stage and file, keeping the cause. */
    IllegalStateException runFailure(OrtException e, int rows) {
        return new IllegalStateException(
                "ONNX Runtime failed running stage "
                        + stage.key()
                        + " ("
                        + file
                        + ") on "
                        + rows
                        + " rows: "
                        + e.getMessage(),
                e);
    }

    /** Refuses new runs, waits for the running ones, then frees the session; idempotent. */
    @Override
    public void close() {
        if (!calls.close()) {
            return;
        }
        OPEN.decrementAndGet();
        try {
            session.close();
        } catch (OrtException e) {
            System.getLogger(StageSession.class.getName())
                    .log(
                            System.Logger.Level.WARNING,
                            "closing the session of " + file + " failed",
                            e);
        } finally {
            options.close();
        }
    }
}
