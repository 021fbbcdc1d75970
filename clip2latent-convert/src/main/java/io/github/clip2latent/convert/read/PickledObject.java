package io.github.clip2latent.convert.read;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An inert record of an object a pickle built from an allowlisted class: the class name, the
 * constructor arguments and the state it was given ({@code BUILD}, or a persistent object's state).
 * Nothing of the class is ever run; the record only holds the data.
 */
public final class PickledObject {

    private final String className;
    private final List<Object> args;
    private Object state;

    PickledObject(String className, List<Object> args, Object state) {
        this.className = Objects.requireNonNull(className, "className");
        this.args = Collections.unmodifiableList(args);
        this.state = state;
    }

    /**
     * The class as the pickle names it, e.g. {@code __torch__.clip.model.CLIP} or, for a {@code
     * torch_utils.persistence} object, the class name its meta records (e.g. {@code Generator}).
     *
     * @return the class name
     */
    public String className() {
        return className;
    }

    /**
     * The constructor arguments the pickle passed.
     *
     * @return an unmodifiable list
     */
    public List<Object> args() {
        return args;
    }

    /**
     * The state, usually a map of attribute name to value; null when the pickle gave none.
     *
     * @return the state
     */
    public Object state() {
        return state;
    }

    /**
     * The state as an attribute map.
     *
     * @return the attributes, empty when the state is not a map
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> attributes() {
        if (state instanceof Map<?, ?> m) {
            return Collections.unmodifiableMap((Map<String, Object>) m);
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>());
    }

    void build(Object newState) {
        if (state instanceof Map<?, ?> old && newState instanceof Map<?, ?> add) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> merged = new LinkedHashMap<>((Map<Object, Object>) old);
            merged.putAll(add);
            state = merged;
        } else {
            state = newState;
        }
    }

    @Override
    public String toString() {
        return "PickledObject[" + className + "]";
    }
}
