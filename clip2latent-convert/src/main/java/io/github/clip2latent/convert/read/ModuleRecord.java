package io.github.clip2latent.convert.read;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An inert record of one {@code torch.nn.Module} from a network pickle: its class name, init
 * keyword arguments, plain attributes, parameters, buffers and submodules. Built from data only; no
 * code of the module's class is ever run. Immutable.
 */
public final class ModuleRecord {

    private final Path source;
    private final String path;
    private final String className;
    private final Map<String, Object> initKwargs;
    private final Map<String, Object> attributes;
    private final Map<String, Tensor> parameters;
    private final Map<String, Tensor> buffers;
    private final Set<String> nonPersistent;
    private final Map<String, ModuleRecord> children;

    private ModuleRecord(
            Path source,
            String path,
            String className,
            Map<String, Object> initKwargs,
            Map<String, Object> attributes,
            Map<String, Tensor> parameters,
            Map<String, Tensor> buffers,
            Set<String> nonPersistent,
            Map<String, ModuleRecord> children) {
        this.source = source;
        this.path = path;
        this.className = className;
        this.initKwargs = Collections.unmodifiableMap(initKwargs);
        this.attributes = Collections.unmodifiableMap(attributes);
        this.parameters = Collections.unmodifiableMap(parameters);
        this.buffers = Collections.unmodifiableMap(buffers);
        this.nonPersistent = Set.copyOf(nonPersistent);
        this.children = Collections.unmodifiableMap(children);
    }

    /** Builds the record tree of a persistent module object. */
    static ModuleRecord of(Path source, String path, PickledObject object) {
        String where = "module '" + path + "' (" + object.className() + ")";
        Map<String, Object> state = object.attributes();
        if (!(object.state() instanceof Map<?, ?>)) {
            throw ConversionException.at(
                    source,
                    where,
                    "expected a module state dict, found "
                            + SafeUnpickler.describe(object.state()));
        }
        Map<String, Tensor> params =
                tensors(source, path, where, state.get("_parameters"), "_parameters");
        Map<String, Tensor> bufs = tensors(source, path, where, state.get("_buffers"), "_buffers");
        Set<String> nonPersistent = new java.util.LinkedHashSet<>();
        if (state.get("_non_persistent_buffers_set") instanceof Collection<?> c) {
            for (Object o : c) {
                nonPersistent.add(String.valueOf(o));
            }
        }
        Map<String, ModuleRecord> kids = new LinkedHashMap<>();
        Object modules = state.get("_modules");
        if (modules instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String name = String.valueOf(e.getKey());
                if (e.getValue() == null) {
                    continue;
                }
                if (!(e.getValue() instanceof PickledObject child)) {
                    throw ConversionException.at(
                            source,
                            where,
                            "submodule '"
                                    + name
                                    + "' is a "
                                    + SafeUnpickler.describe(e.getValue())
                                    + ", expected a module object");
                }
                kids.put(name, of(source, path.isEmpty() ? name : path + "." + name, child));
            }
        } else if (modules != null) {
            throw ConversionException.at(source, where, "_modules is not a dict");
        }
        Map<String, Object> kwargs = new LinkedHashMap<>();
        if (state.get("_init_kwargs") instanceof Map<?, ?> k) {
            for (Map.Entry<?, ?> e : k.entrySet()) {
                kwargs.put(String.valueOf(e.getKey()), plain(e.getValue()));
            }
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : state.entrySet()) {
            if (!e.getKey().startsWith("_")) {
                attrs.put(e.getKey(), plain(e.getValue()));
            }
        }
        return new ModuleRecord(
                source, path, object.className(), kwargs, attrs, params, bufs, nonPersistent, kids);
    }

    private static Map<String, Tensor> tensors(
            Path source, String path, String where, Object dict, String field) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (dict == null) {
            return out;
        }
        if (!(dict instanceof Map<?, ?> m)) {
            throw ConversionException.at(source, where, field + " is not a dict");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String name = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (v == null) {
                continue; // e.g. a bias registered as None
            }
            if (!(v instanceof Tensor t)) {
                throw ConversionException.at(
                        source,
                        where,
                        field
                                + "['"
                                + name
                                + "'] is a "
                                + SafeUnpickler.describe(v)
                                + ", expected a tensor");
            }
            String full = path.isEmpty() ? name : path + "." + name;
            out.put(name, t.named(full));
        }
        return out;
    }

    /** Converts pickled values to plain Java ones: tuples and numpy arrays to lists. */
    static Object plain(Object v) {
        if (v instanceof Object[] t) {
            List<Object> l = new ArrayList<>();
            for (Object o : t) {
                l.add(plain(o));
            }
            return Collections.unmodifiableList(l);
        }
        if (v instanceof List<?> list) {
            List<Object> l = new ArrayList<>();
            for (Object o : list) {
                l.add(plain(o));
            }
            return Collections.unmodifiableList(l);
        }
        if (v instanceof NumpyArray a) {
            return a.shape().length == 0 ? a.values()[0] : a.toList();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), plain(e.getValue()));
            }
            return Collections.unmodifiableMap(out);
        }
        if (v instanceof BigInteger b && b.bitLength() < 64) {
            return b.longValue();
        }
        return v;
    }

    /**
     * The module path from the network root, e.g. {@code synthesis.b8.conv0}; empty for the root.
     *
     * @return the path
     */
    public String path() {
        return path;
    }

    /**
     * The class name the pickle records: for {@code torch_utils.persistence} objects only the
     * simple name (e.g. {@code SynthesisLayer}), since the module is identified by its embedded
     * source, which is never read.
     *
     * @return the class name
     */
    public String className() {
        return className;
    }

    /**
     * The constructor keyword arguments ({@code _init_kwargs}; EasyDicts as maps), empty if none.
     *
     * @return an unmodifiable map
     */
    public Map<String, Object> initKwargs() {
        return initKwargs;
    }

    /**
     * Plain attributes (names not starting with {@code _}): numbers, strings, booleans, lists (from
     * tuples, lists and numpy arrays), maps, null for None.
     *
     * @return an unmodifiable map
     */
    public Map<String, Object> attributes() {
        return attributes;
    }

    /**
     * The submodules ({@code _modules}), in order.
     *
     * @return an unmodifiable map
     */
    public Map<String, ModuleRecord> children() {
        return children;
    }

    /**
     * A descendant by dotted path relative to this module.
     *
     * @param dottedPath e.g. {@code b8.conv0}
     * @return the module
     * @throws ConversionException naming the file and the missing path
     */
    public ModuleRecord child(String dottedPath) {
        ModuleRecord m = this;
        for (String part : dottedPath.split("\\.")) {
            ModuleRecord next = m.children.get(part);
            if (next == null) {
                throw ConversionException.at(
                        source,
                        "module '" + m.path + "' (" + m.className + ")",
                        "no submodule '" + part + "' (has: " + m.children.keySet() + ")");
            }
            m = next;
        }
        return m;
    }

    /**
     * A parameter ({@code _parameters}) of this module.
     *
     * @param name e.g. {@code weight}
     * @return the tensor (named by its full dotted path), or empty
     */
    public Optional<Tensor> parameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    /**
     * A buffer ({@code _buffers}) of this module.
     *
     * @param name e.g. {@code w_avg}
     * @return the tensor, or empty
     */
    public Optional<Tensor> buffer(String name) {
        return Optional.ofNullable(buffers.get(name));
    }

    /**
     * A parameter or buffer.
     *
     * @param name the tensor's name in this module
     * @return the tensor
     * @throws ConversionException naming the file, the module path and the name when absent
     */
    public Tensor tensor(String name) {
        Tensor t = parameters.containsKey(name) ? parameters.get(name) : buffers.get(name);
        if (t == null) {
            throw ConversionException.at(
                    source,
                    "module '" + path + "' (" + className + ")",
                    "no parameter or buffer '"
                            + name
                            + "' (parameters: "
                            + parameters.keySet()
                            + ", buffers: "
                            + buffers.keySet()
                            + ")");
        }
        return t;
    }

    /**
     * Parameters and persistent buffers of this module and its descendants with dotted names
     * relative to this module, in {@code module.state_dict()} order (own parameters, own buffers,
     * then each submodule).
     *
     * @return the tensors; closing the result does nothing
     */
    public StateDict stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(this, "", out);
        return new StateDict(source, out, null);
    }

    private static void collect(ModuleRecord m, String prefix, Map<String, Tensor> out) {
        for (Map.Entry<String, Tensor> e : m.parameters.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue().named(prefix + e.getKey()));
        }
        for (Map.Entry<String, Tensor> e : m.buffers.entrySet()) {
            if (!m.nonPersistent.contains(e.getKey())) {
                out.put(prefix + e.getKey(), e.getValue().named(prefix + e.getKey()));
            }
        }
        for (Map.Entry<String, ModuleRecord> c : m.children.entrySet()) {
            collect(c.getValue(), prefix + c.getKey() + ".", out);
        }
    }

    private Object attribute(String name, String expected) {
        if (!attributes.containsKey(name)) {
            throw ConversionException.at(
                    source,
                    "module '" + path + "' (" + className + ")",
                    "no attribute '"
                            + name
                            + "' (expected "
                            + expected
                            + "; has: "
                            + attributes.keySet()
                            + ")");
        }
        return attributes.get(name);
    }

    private ConversionException wrongType(String name, String expected, Object v) {
        return ConversionException.at(
                source,
                "module '" + path + "' (" + className + ")",
                "attribute '"
                        + name
                        + "' is "
                        + v
                        + " ("
                        + SafeUnpickler.describe(v)
                        + "), expected "
                        + expected);
    }

    /**
     * An integer attribute such as {@code num_ws}.
     *
     * @param name the attribute
     * @return its value
     * @throws ConversionException when absent or not an integer
     */
    public int intAttribute(String name) {
        Object v = attribute(name, "an integer");
        if (v instanceof Integer || v instanceof Long) {
            long l = ((Number) v).longValue();
            if (l == (int) l) {
                return (int) l;
            }
        }
        throw wrongType(name, "an integer", v);
    }

    /**
     * A numeric attribute such as {@code conv_clamp} or a numpy float.
     *
     * @param name the attribute
     * @return its value
     * @throws ConversionException when absent or not a number
     */
    public double doubleAttribute(String name) {
        Object v = attribute(name, "a number");
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(name, "a number", v);
    }

    /**
     * A string attribute such as {@code architecture}.
     *
     * @param name the attribute
     * @return its value
     * @throws ConversionException when absent or not a string
     */
    public String stringAttribute(String name) {
        Object v = attribute(name, "a string");
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(name, "a string", v);
    }

    /**
     * A boolean attribute such as {@code use_fp16} (numpy booleans included).
     *
     * @param name the attribute
     * @return its value
     * @throws ConversionException when absent or not a boolean
     */
    public boolean booleanAttribute(String name) {
        Object v = attribute(name, "a boolean");
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(name, "a boolean", v);
    }

    /**
     * The file this record was read from.
     *
     * @return the path
     */
    public Path source() {
        return source;
    }

    @Override
    public String toString() {
        return "ModuleRecord[" + (path.isEmpty() ? "<root>" : path) + ", " + className + "]";
    }
}
