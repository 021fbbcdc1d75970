package io.github.clip2latent.train.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Plain {@code --name value} / {@code --name=value} options of one subcommand, checked against the
 * names it knows; every lookup that fails throws {@link UsageException} with the option and the bad
 * value.
 */
final class Options {

    private final String command;
    private final Map<String, String> values;

    private Options(String command, Map<String, String> values) {
        this.command = command;
        this.values = values;
    }

    /** Parses {@code args}; {@code flags} take no value. */
    static Options parse(String command, String[] args, Set<String> known, Set<String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new UsageException(
                        command + ": unexpected argument '" + arg + "' (options start with --)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!known.contains(name) && !flags.contains(name)) {
                throw new UsageException(
                        command + ": unknown option --" + name + " (see " + command + " --help)");
            }
            if (flags.contains(name)) {
                values.put(name, "true");
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(command + ": option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (values.put(name, value) != null) {
                throw new UsageException(command + ": option --" + name + " given twice");
            }
        }
        return new Options(command, values);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException(
                    command
                            + ": missing required option --"
                            + name
                            + " (see "
                            + command
                            + " --help)");
        }
        return v;
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    long longValue(String name, long fallback) {
        if (!has(name)) {
            return fallback;
        }
        try {
            return Long.parseLong(values.get(name).trim());
        } catch (NumberFormatException e) {
            throw new UsageException(
                    command
                            + ": --"
                            + name
                            + " must be an integer, got '"
                            + values.get(name)
                            + "'");
        }
    }

    long requiredLong(String name) {
        string(name);
        return longValue(name, 0);
    }

    int intValue(String name, int fallback) {
        long v = longValue(name, fallback);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new UsageException(
                    command + ": --" + name + " is out of range, got '" + values.get(name) + "'");
        }
        return (int) v;
    }

    double doubleValue(String name, double fallback) {
        if (!has(name)) {
            return fallback;
        }
        try {
            return Double.parseDouble(values.get(name).trim());
        } catch (NumberFormatException e) {
            throw new UsageException(
                    command + ": --" + name + " must be a number, got '" + values.get(name) + "'");
        }
    }

    /** A path that must name an existing folder. */
    Path existingDirectory(String name) {
        Path p = Path.of(string(name));
        if (!Files.isDirectory(p)) {
            throw new UsageException(
                    command
                            + ": --"
                            + name
                            + " "
                            + p.toAbsolutePath()
                            + " is not an existing folder");
        }
        return p;
    }

    /** A path that must name an existing file. */
    Path existingFile(String name) {
        Path p = Path.of(string(name));
        if (!Files.isRegularFile(p)) {
            throw new UsageException(
                    command
                            + ": --"
                            + name
                            + " "
                            + p.toAbsolutePath()
                            + " is not an existing file");
        }
        return p;
    }

    /** Wraps a value check of a parser as a usage error naming the option. */
    <T> T check(String name, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(command + ": --" + name + ": " + e.getMessage());
        }
    }

    /**
     * Wraps the checks of a record built from several options; its message names the bad field and
     * value.
     */
    <T> T check(java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (UsageException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new UsageException(command + ": " + e.getMessage());
        }
    }
}
