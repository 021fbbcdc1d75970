package io.github.clip2latent.convert.read;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The razorvine pickle virtual machine with every code path that could reach outside the data
 * replaced: globals ({@code GLOBAL}, {@code STACK_GLOBAL}) resolve only through a {@link
 * PickleGlobals} allowlist and anything else is refused with the global's name; {@code INST},
 * {@code OBJ} and the extension registry are refused; {@code BUILD} only fills inert records;
 * dictionaries keep file order; every length prefix is checked against the bytes left before
 * anything is allocated.
 */
final class SafeUnpickler extends Unpickler {

    private static final short GLOBAL = 'c';
    private static final short STACK_GLOBAL = 0x93;
    private static final short INST = 'i';
    private static final short OBJ = 'o';
    private static final short EMPTY_DICT = '}';
    private static final short DICT = 'd';
    private static final short SETITEMS = 'u';
    private static final short BUILD = 'b';
    private static final short EXT1 = 0x82;
    private static final short EXT2 = 0x83;
    private static final short EXT4 = 0x84;
    private static final short BINBYTES = 'B';
    private static final short BINBYTES8 = 0x8e;
    private static final short BINUNICODE = 'X';
    private static final short BINUNICODE8 = 0x8d;
    private static final short BINSTRING = 'T';
    private static final short BYTEARRAY8 = 0x96;

    private final Path file;
    private final String entry;
    private final PickleGlobals globals;
    private final Function<Object, Object> persistent;
    private final long total;
    private CountingInput counting;

    private SafeUnpickler(
            Path file,
            String entry,
            PickleGlobals globals,
            Function<Object, Object> persistent,
            long total) {
        this.file = file;
        this.entry = entry;
        this.globals = globals;
        this.persistent = persistent;
        this.total = total;
    }

    /**
     * Unpickles one object from {@code in} (which holds {@code total} bytes from its position),
     * leaving the stream just after the STOP opcode.
     */
    static Object load(
            Path file,
            String entry,
            InputStream in,
            long total,
            PickleGlobals globals,
            Function<Object, Object> persistent) {
        SafeUnpickler u = new SafeUnpickler(file, entry, globals, persistent, total);
        u.counting = new CountingInput(in);
        try {
            return u.load(u.counting);
        } catch (ConversionException e) {
            throw e;
        } catch (IOException e) {
            throw ConversionException.at(
                    file,
                    entry,
                    "pickle ends early after "
                            + u.counting.position
                            + " of "
                            + total
                            + " bytes ("
                            + e.getMessage()
                            + ")",
                    e);
        } catch (PickleException | ClassCastException | IndexOutOfBoundsException e) {
            throw ConversionException.at(
                    file,
                    entry,
                    "malformed pickle at byte " + u.counting.position + ": " + e.getMessage(),
                    e);
        }
    }

    /** Unpickles a byte array holding one pickle. */
    static Object load(
            Path file,
            String entry,
            byte[] bytes,
            PickleGlobals globals,
            Function<Object, Object> persistent) {
        return load(
                file, entry, new ByteArrayInputStream(bytes), bytes.length, globals, persistent);
    }

    private long remaining() {
        return total - counting.position;
    }

    private byte[] readSized(long n, String what) throws IOException {
        if (n < 0 || n > remaining()) {
            throw ConversionException.at(
                    file,
                    entry,
                    what
                            + " of "
                            + n
                            + " bytes at byte "
                            + counting.position
                            + ", but only "
                            + remaining()
                            + " bytes are left: truncated or corrupt pickle");
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw ConversionException.at(file, entry, what + " of " + n + " bytes is too large");
        }
        return PickleUtils.readbytes(input, (int) n);
    }

    private long readLength(int bytes) throws IOException {
        byte[] b = PickleUtils.readbytes(input, bytes);
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case GLOBAL:
                {
                    String module = PickleUtils.readline(input);
                    String name = PickleUtils.readline(input);
                    stack.add(resolve(module, name));
                    return NO_RETURN_VALUE;
                }
            case STACK_GLOBAL:
                {
                    Object name = stack.pop();
                    Object module = stack.pop();
                    stack.add(resolve(String.valueOf(module), String.valueOf(name)));
                    return NO_RETURN_VALUE;
                }
            case INST:
            case OBJ:
            case EXT1:
            case EXT2:
            case EXT4:
                throw ConversionException.at(
                        file,
                        entry,
                        "refused pickle opcode 0x"
                                + Integer.toHexString(key)
                                + " (class instantiation or extension registry) at byte "
                                + counting.position
                                + "; nothing from the file was run");
            case EMPTY_DICT:
                stack.add(new LinkedHashMap<Object, Object>());
                return NO_RETURN_VALUE;
            case DICT:
                {
                    List<Object> items = stack.pop_all_since_marker();
                    Map<Object, Object> map = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        map.put(items.get(i), items.get(i + 1));
                    }
                    stack.add(map);
                    return NO_RETURN_VALUE;
                }
            case SETITEMS:
                {
                    List<Object> items = stack.pop_all_since_marker();
                    Object target = stack.peek();
                    if (!(target instanceof Map<?, ?>)) {
                        throw ConversionException.at(
                                file, entry, "SETITEMS on a " + describe(target) + ", not a dict");
                    }
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> map = (Map<Object, Object>) target;
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        map.put(items.get(i), items.get(i + 1));
                    }
                    return NO_RETURN_VALUE;
                }
            case BUILD:
                {
                    Object state = stack.pop();
                    Object target = stack.peek();
                    if (target instanceof PickledObject p) {
                        p.build(state);
                    } else if (target instanceof NumpyArray a) {
                        PickleGlobals.buildNumpy(a, state, file + ": " + entry);
                    } else if (target instanceof PickleGlobals.Buildable b) {
                        b.build(state, file + ": " + entry);
                    } else if (!(target instanceof Map<?, ?>)) {
                        // A dict subclass (OrderedDict, EasyDict) may carry attributes; ignored.
                        throw ConversionException.at(
                                file, entry, "BUILD on a " + describe(target) + " is not allowed");
                    }
                    return NO_RETURN_VALUE;
                }
            case BINBYTES:
                stack.add(readSized(readLength(4), "byte string"));
                return NO_RETURN_VALUE;
            case BINBYTES8:
            case BYTEARRAY8:
                stack.add(readSized(readLength(8), "byte string"));
                return NO_RETURN_VALUE;
            case BINUNICODE:
                stack.add(new String(readSized(readLength(4), "string"), StandardCharsets.UTF_8));
                return NO_RETURN_VALUE;
            case BINUNICODE8:
                stack.add(new String(readSized(readLength(8), "string"), StandardCharsets.UTF_8));
                return NO_RETURN_VALUE;
            case BINSTRING:
                stack.add(PickleUtils.rawStringFromBytes(readSized(readLength(4), "string")));
                return NO_RETURN_VALUE;
            default:
                return super.dispatch(key);
        }
    }

    private IObjectConstructor resolve(String module, String name) {
        IObjectConstructor c = globals.resolve(module, name, file, entry);
        if (c == null) {
            throw ConversionException.at(
                    file,
                    entry,
                    "refused pickle global '"
                            + module
                            + "."
                            + name
                            + "': not on the allowlist of "
                            + globals.description()
                            + "; nothing from the file was run");
        }
        return c;
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (persistent == null) {
            throw ConversionException.at(
                    file, entry, "unexpected persistent id " + describe(pid) + " in this pickle");
        }
        return persistent.apply(pid);
    }

    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Object[] t) {
            return "tuple of " + t.length;
        }
        if (o instanceof PickledObject p) {
            return p.className();
        }
        return o.getClass().getSimpleName();
    }

    /** Counts the bytes consumed, for messages and the length checks. */
    private static final class CountingInput extends InputStream {
        private final InputStream in;
        long position;

        CountingInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                position++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }
}
