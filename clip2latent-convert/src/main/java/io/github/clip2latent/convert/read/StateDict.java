package io.github.clip2latent.convert.read;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ordered name-to-tensor map read from one file, in file order. Closing it closes the file
 * channel behind its memory maps (the mapped pages themselves are released by the JVM once no
 * tensor refers to them); a sub-map from {@link #withPrefix} shares the file and closing it does
 * nothing.
 */
public final class StateDict implements AutoCloseable {

    private final Path source;
    private final Map<String, Tensor> tensors;
    private final Closeable owner;

    StateDict(Path source, Map<String, Tensor> tensors, Closeable owner) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.owner = owner;
    }

    /**
     * The file the tensors came from.
     *
     * @return the path
     */
    public Path source() {
        return source;
    }

    /**
     * All names, in file order.
     *
     * @return an unmodifiable list
     */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /**
     * The number of tensors.
     *
     * @return the size
     */
    public int size() {
        return tensors.size();
    }

    /**
     * All tensors by name, in file order.
     *
     * @return an unmodifiable map
     */
    public Map<String, Tensor> asMap() {
        return tensors;
    }

    /**
     * One tensor.
     *
     * @param name the dotted name
     * @return the tensor
     * @throws ConversionException naming the file and the key when absent
     */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw ConversionException.at(
                    source,
                    "key '" + name + "'",
                    "no such tensor (" + tensors.size() + " tensors" + nearby(name) + ")");
        }
        return t;
    }

    private String nearby(String name) {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot + 1) : "";
        List<String> similar = new ArrayList<>();
        for (String k : tensors.keySet()) {
            if (!stem.isEmpty() && k.startsWith(stem) && similar.size() < 5) {
                similar.add(k);
            }
        }
        if (similar.isEmpty()) {
            List<String> first = new ArrayList<>(tensors.keySet());
            return first.isEmpty() ? "" : "; first: " + first.subList(0, Math.min(3, first.size()));
        }
        return "; under '" + stem + "': " + similar;
    }

    /**
     * One tensor, if present.
     *
     * @param name the dotted name
     * @return the tensor or empty
     */
    public Optional<Tensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /**
     * Whether a tensor of that name exists.
     *
     * @param name the dotted name
     * @return true if present
     */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * The tensors whose names start with {@code prefix}, with the prefix stripped (names and {@link
     * Tensor#name()} both), in file order.
     *
     * @param prefix e.g. {@code ema_diffusion_prior.ema_model.}
     * @return the sub-map; it shares this file and its {@code close()} does nothing
     */
    public StateDict withPrefix(String prefix) {
        Map<String, Tensor> sub = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                String stripped = e.getKey().substring(prefix.length());
                sub.put(stripped, e.getValue().named(stripped));
            }
        }
        return new StateDict(source, sub, null);
    }

    @Override
    public void close() {
        if (owner != null) {
            try {
                owner.close();
            } catch (IOException e) {
                throw new ConversionException(source + ": closing the file failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "StateDict[" + source + ", " + tensors.size() + " tensors]";
    }
}
