package io.github.clip2latent.convert.read;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The top-level dict of an NVIDIA network pickle ({@code G}, {@code D}, {@code G_ema}, {@code
 * augment_pipe}, {@code training_set_kwargs}), with its networks as {@link ModuleRecord} trees.
 */
public final class NetworkPickle {

    private final Path source;
    private final Map<String, Object> entries;

    NetworkPickle(Path source, Map<String, Object> entries) {
        this.source = source;
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /**
     * The file.
     *
     * @return the path
     */
    public Path source() {
        return source;
    }

    /**
     * The top-level keys, in file order.
     *
     * @return the keys
     */
    public List<String> keys() {
        return new ArrayList<>(entries.keySet());
    }

    /**
     * A network by key.
     *
     * @param key e.g. {@code G_ema}
     * @return the root module record
     * @throws ConversionException naming the file and the key when absent or not a network
     */
    public ModuleRecord network(String key) {
        if (!entries.containsKey(key)) {
            throw ConversionException.at(
                    source,
                    "key '" + key + "'",
                    "no such network (keys: " + entries.keySet() + ")");
        }
        Object v = entries.get(key);
        if (v instanceof ModuleRecord m) {
            return m;
        }
        throw ConversionException.at(
                source,
                "key '" + key + "'",
                "expected a network (persistent module object), found "
                        + SafeUnpickler.describe(v));
    }

    /**
     * A top-level value as plain data (e.g. {@code training_set_kwargs} as a map, or null).
     *
     * @param key the key
     * @return the value; a {@link ModuleRecord} for networks
     */
    public Object get(String key) {
        return entries.get(key);
    }
}
