package io.github.clip2latent.convert.stylegan;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The view of one pickled {@code torch.nn.Module} that {@link StyleGan3Pickle} reads: the reader's
 * module record in production, an altered copy in the tests of bad pickles.
 */
interface StyleGan3Module {

    /** A stored parameter or buffer: its PyTorch shape and its values as float32 on demand. */
    record Stored(long[] shape, Supplier<float[]> values) {}

    /** Module path from the network root ({@code ""} for the root). */
    String path();

    /** The class name as pickled. */
    String className();

    /** The persistence init kwargs, empty if none. */
    Map<String, Object> initKwargs();

    /** Plain attributes. */
    Map<String, Object> attributes();

    /** A direct submodule. */
    Optional<StyleGan3Module> child(String name);

    /** A parameter or, failing that, a buffer; empty when absent or stored as None. */
    Optional<Stored> tensor(String name);
}
