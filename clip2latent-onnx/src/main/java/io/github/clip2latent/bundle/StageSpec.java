package io.github.clip2latent.bundle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;

/**
 * One graph of the bundle: its file (relative to the bundle folder) and its declared inputs and
 * outputs.
 *
 * @param file relative path of the {@code .onnx} file
 * @param inputs the graph inputs, by name
 * @param outputs the graph outputs the library reads
 */
public record StageSpec(String file, List<TensorSpec> inputs, List<TensorSpec> outputs) {

    /** Validates and copies. */
    public StageSpec {
        checkNotNull(file, "file");
        checkArgument(!file.isEmpty(), "stage file must not be empty");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        checkArgument(
                !inputs.isEmpty() && !outputs.isEmpty(), "stage %s needs inputs and outputs", file);
    }

    /** The single input or output named {@code name}, or null. */
    public TensorSpec input(String name) {
        return inputs.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }
}
