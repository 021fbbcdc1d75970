package io.github.clip2latent.convert.read;

import net.razorvine.pickle.IObjectConstructor;

import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The allowlist of pickle globals a reader resolves, each to a constructor that only builds data
 * (maps, lists, tensors over already-checked storages, inert records). Anything not listed is
 * refused by {@link SafeUnpickler}. One instance per file, so errors name the file.
 */
final class PickleGlobals {

    /** Receives a {@code BUILD} state. */
    interface Buildable {
        void build(Object state, String where);
    }

    /** A {@code torch.<X>Storage} class, used as a dtype tag inside persistent ids. */
    record StorageType(DType dtype) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new ConversionException(
                    "a pickle called torch."
                            + dtype.storageClass()
                            + "(...), which torch never does");
        }
    }

    private final Path file;
    private final String description;
    private final Map<String, IObjectConstructor> exact = new LinkedHashMap<>();
    private final Map<String, Function<String, IObjectConstructor>> prefixes =
            new LinkedHashMap<>();

    private PickleGlobals(Path file, String description) {
        this.file = file;
        this.description = description;
    }

    String description() {
        return description;
    }

    IObjectConstructor resolve(String module, String name, Path where, String entry) {
        String full = module + "." + name;
        IObjectConstructor c = exact.get(full);
        if (c != null) {
            return c;
        }
        if (module.equals("torch") && name.endsWith("Storage")) {
            DType d =
                    DType.fromStorageClass(name)
                            .orElseThrow(
                                    () ->
                                            ConversionException.at(
                                                    where,
                                                    entry,
                                                    "unknown dtype: storage class 'torch."
                                                            + name
                                                            + "' (supported: "
                                                            + supportedStorages()
                                                            + ")"));
            return new StorageType(d);
        }
        for (Map.Entry<String, Function<String, IObjectConstructor>> p : prefixes.entrySet()) {
            if (full.startsWith(p.getKey())) {
                return p.getValue().apply(full);
            }
        }
        return null;
    }

    private static String supportedStorages() {
        List<String> names = new ArrayList<>();
        for (DType d : DType.values()) {
            names.add(d.storageClass());
        }
        return String.join(", ", names);
    }

    /** Globals of a plain {@code torch.save} pickle: containers, storages and tensor rebuilds. */
    static PickleGlobals torchSave(Path file) {
        PickleGlobals g =
                new PickleGlobals(file, "torch.save checkpoints (containers, storages, tensors)");
        g.addContainers();
        g.addTensors();
        return g;
    }

    /** Adds TorchScript's module objects ({@code __torch__.*}) and typed-list helpers. */
    static PickleGlobals torchScript(Path file) {
        PickleGlobals g =
                new PickleGlobals(
                        file, "TorchScript archives (module records, containers, tensors)");
        g.addContainers();
        g.addTensors();
        g.prefixes.put(
                "__torch__.", full -> args -> new PickledObject(full, Arrays.asList(args), null));
        IObjectConstructor first = args -> args[0];
        g.exact.put("torch.jit._pickle.restore_type_tag", first);
        for (String b :
                List.of(
                        "build_intlist",
                        "build_tensorlist",
                        "build_doublelist",
                        "build_boollist")) {
            g.exact.put("torch.jit._pickle." + b, first);
        }
        return g;
    }

    /**
     * Adds what NVIDIA's network pickles use: storages as legacy {@code torch.save} bytes, {@code
     * torch_utils.persistence} objects, {@code EasyDict} and numpy scalars and arrays.
     */
    static PickleGlobals networkPickle(Path file) {
        PickleGlobals g =
                new PickleGlobals(
                        file,
                        "NVIDIA network pickles (persistent module records, containers, tensors,"
                                + " numpy numbers)");
        g.addContainers();
        g.addTensors();
        g.exact.put(
                "torch.storage._load_from_bytes",
                args -> LegacyTorchStream.readStorage(file, bytes(args[0], "storage bytes")));
        g.exact.put(
                "torch_utils.persistence._reconstruct_persistent_obj",
                args -> {
                    if (!(args[0] instanceof Map<?, ?> meta)) {
                        throw new ConversionException(
                                file + ": persistent object without a meta dict");
                    }
                    Object type = meta.get("type");
                    if (!"class".equals(type)) {
                        throw new ConversionException(
                                file
                                        + ": persistent object of type '"
                                        + type
                                        + "', expected 'class'");
                    }
                    return new PickledObject(
                            String.valueOf(meta.get("class_name")), List.of(), meta.get("state"));
                });
        IObjectConstructor easyDict = args -> new LinkedHashMap<Object, Object>();
        g.exact.put("dnnlib.util.EasyDict", easyDict);
        g.exact.put("dnnlib.EasyDict", easyDict);
        for (String np : List.of("numpy.core.multiarray", "numpy._core.multiarray")) {
            g.exact.put(np + ".scalar", args -> numpyScalar(file, args));
            g.exact.put(np + "._reconstruct", args -> new NumpyArray());
        }
        g.exact.put("numpy.dtype", args -> new NumpyDType(String.valueOf(args[0])));
        g.exact.put(
                "numpy.ndarray",
                args -> {
                    throw new ConversionException(file + ": numpy.ndarray called directly");
                });
        return g;
    }

    private void addContainers() {
        exact.put(
                "collections.OrderedDict",
                args -> {
                    Map<Object, Object> m = new LinkedHashMap<>();
                    if (args.length > 0 && args[0] instanceof List<?> pairs) {
                        for (Object p : pairs) {
                            Object[] kv = (Object[]) p;
                            m.put(kv[0], kv[1]);
                        }
                    }
                    return m;
                });
        IObjectConstructor set =
                args ->
                        args.length == 0
                                ? new LinkedHashSet<>()
                                : new LinkedHashSet<>((Collection<?>) args[0]);
        exact.put("builtins.set", set);
        exact.put("__builtin__.set", set);
        exact.put("builtins.frozenset", set);
        exact.put(
                "_codecs.encode",
                args -> {
                    String enc = args.length > 1 ? String.valueOf(args[1]) : "utf-8";
                    if (!enc.equals("latin1") && !enc.equals("latin-1")) {
                        throw new ConversionException(
                                file + ": _codecs.encode with encoding " + enc);
                    }
                    return String.valueOf(args[0]).getBytes(StandardCharsets.ISO_8859_1);
                });
    }

    private void addTensors() {
        exact.put("torch._utils._rebuild_tensor_v2", args -> rebuildTensor(args));
        exact.put("torch._utils._rebuild_tensor", args -> rebuildTensor(args));
        IObjectConstructor parameter =
                args -> {
                    if (!(args[0] instanceof Tensor t)) {
                        throw new ConversionException(
                                file
                                        + ": parameter around a "
                                        + SafeUnpickler.describe(args[0])
                                        + ", expected a tensor");
                    }
                    return t;
                };
        exact.put("torch._utils._rebuild_parameter", parameter);
        exact.put("torch._utils._rebuild_parameter_with_state", parameter);
    }

    private Tensor rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof Storage storage)) {
            throw new ConversionException(
                    file
                            + ": tensor rebuild expects (storage, offset, size, stride, ...), found"
                            + " "
                            + (args.length == 0
                                    ? "no arguments"
                                    : SafeUnpickler.describe(args[0])));
        }
        return Tensor.view(
                storage.entry(), storage, toLong(args[1]), longs(args[2]), longs(args[3]));
    }

    static long toLong(Object o) {
        if (o instanceof Integer i) {
            return i;
        }
        if (o instanceof Long l) {
            return l;
        }
        if (o instanceof BigInteger b) {
            return b.longValueExact();
        }
        throw new ConversionException("expected an integer, found " + SafeUnpickler.describe(o));
    }

    static long[] longs(Object o) {
        Object[] items;
        if (o instanceof Object[] t) {
            items = t;
        } else if (o instanceof List<?> l) {
            items = l.toArray();
        } else {
            throw new ConversionException(
                    "expected a tuple of integers, found " + SafeUnpickler.describe(o));
        }
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = toLong(items[i]);
        }
        return out;
    }

    static byte[] bytes(Object o, String what) {
        if (o instanceof byte[] b) {
            return b;
        }
        if (o instanceof String s) {
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        throw new ConversionException(
                "expected " + what + " as bytes, found " + SafeUnpickler.describe(o));
    }

    private static Object numpyScalar(Path file, Object[] args) {
        if (args.length != 2 || !(args[0] instanceof NumpyDType dt)) {
            throw new ConversionException(file + ": numpy scalar without a dtype");
        }
        byte[] raw = bytes(args[1], "numpy scalar");
        NumpyArray a = new NumpyArray();
        a.set(new long[0], dt.code, dt.order, raw, file + ": numpy scalar");
        Number v = a.values()[0];
        return dt.code.startsWith("b") ? (Object) (v.longValue() != 0) : v;
    }

    /** A numpy dtype: its code ({@code f8}) and, after BUILD, its byte order. */
    static final class NumpyDType implements Buildable {
        final String code;
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;

        NumpyDType(String code) {
            this.code = code;
        }

        @Override
        public void build(Object state, String where) {
            if (state instanceof Object[] t && t.length > 1 && ">".equals(t[1])) {
                order = ByteOrder.BIG_ENDIAN;
            }
        }
    }

    /** Fills an array made by {@code numpy.core.multiarray._reconstruct} from its BUILD state. */
    static void buildNumpy(NumpyArray array, Object state, String where) {
        if (!(state instanceof Object[] t) || t.length < 5 || !(t[2] instanceof NumpyDType dt)) {
            throw new ConversionException(where + ": numpy array state not understood");
        }
        if (Boolean.TRUE.equals(t[3])) {
            throw new ConversionException(where + ": Fortran-ordered numpy array");
        }
        array.set(longs(t[1]), dt.code, dt.order, bytes(t[4], "numpy array data"), where);
    }
}
