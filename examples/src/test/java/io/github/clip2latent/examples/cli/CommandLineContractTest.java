package io.github.clip2latent.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.examples.cli.Cli.Outcome;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The contract of every command, read from the command tree itself (so a new subcommand, e.g.
 * {@code import}, is covered once it is registered): its help lists each declared option with its
 * default, and a missing option value, an unknown option and a bad number each give exit code 2 and
 * a message naming the option.
 */
class CommandLineContractTest {

    /** The commands that are run (not only groups of commands), with their path of names. */
    private static List<List<String>> leafCommands() {
        List<List<String>> leaves = new ArrayList<>();
        collect(Clip2LatentCommand.commandLine(), new ArrayList<>(), leaves);
        return leaves;
    }

    private static void collect(CommandLine cli, List<String> path, List<List<String>> leaves) {
        Map<String, CommandLine> subcommands = cli.getSubcommands();
        if (subcommands.isEmpty()) {
            leaves.add(List.copyOf(path));
            return;
        }
        for (Map.Entry<String, CommandLine> e : subcommands.entrySet()) {
            List<String> next = new ArrayList<>(path);
            next.add(e.getKey());
            collect(e.getValue(), next, leaves);
        }
    }

    private static CommandSpec spec(List<String> path) {
        CommandLine cli = Clip2LatentCommand.commandLine();
        for (String name : path) {
            cli = cli.getSubcommands().get(name);
        }
        return cli.getCommandSpec();
    }

    private static String[] args(List<String> path, String... rest) {
        return Stream.concat(path.stream(), Arrays.stream(rest)).toArray(String[]::new);
    }

    private static final Set<Class<?>> NUMBERS =
            Set.of(int.class, long.class, double.class, Integer.class, Long.class, Double.class);

    /** The first numeric option of a command. */
    private static OptionSpec numericOption(CommandSpec spec) {
        return spec.options().stream()
                .filter(o -> NUMBERS.contains(o.type()))
                .findFirst()
                .orElse(null);
    }

    /** Values for the required options, argument groups and positional parameters of a command. */
    private static List<String> requiredArguments(CommandSpec spec) {
        List<String> args = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            if (option.required() && option.group() == null) {
                args.add(option.longestName());
                args.add("1");
            }
        }
        for (CommandLine.Model.ArgGroupSpec group : spec.argGroups()) {
            if (group.multiplicity().min() > 0) {
                args.add(group.options().iterator().next().longestName());
                args.add("1");
            }
        }
        for (CommandLine.Model.PositionalParamSpec positional : spec.positionalParameters()) {
            if (positional.arity().min() > 0) {
                args.add("x");
            }
        }
        return args;
    }

    @Test
    void everyCommandOfTheLauncherIsThere() {
        List<String> names = leafCommands().stream().map(p -> String.join(" ", p)).toList();
        assertEquals(
                List.of(
                        "sample",
                        "train generate",
                        "train fit",
                        "train export",
                        "train eval",
                        "build-shapes",
                        "quality",
                        "figures",
                        "import"),
                names);
    }

    @TestFactory
    Stream<DynamicTest> helpListsEveryDeclaredOptionWithItsDefault() {
        return leafCommands().stream()
                .map(
                        path ->
                                DynamicTest.dynamicTest(
                                        String.join(" ", path) + " --help",
                                        () -> {
                                            Outcome help = Cli.run(args(path, "--help"));
                                            assertEquals(0, help.code(), help.err());
                                            assertEquals("", help.err());
                                            String text = help.out();
                                            // Help wraps long lines anywhere, even in a path.
                                            String flat = text.replaceAll("\\s+", "");
                                            assertTrue(
                                                    text.startsWith(
                                                            "Usage: clip2latent "
                                                                    + String.join(" ", path)),
                                                    text);
                                            for (OptionSpec option : spec(path).options()) {
                                                assertTrue(
                                                        text.contains(option.longestName()),
                                                        option.longestName() + " in\n" + text);
                                                String shown = option.defaultValueString(true);
                                                if (option.defaultValue() != null) {
                                                    assertNotNull(shown);
                                                    assertTrue(
                                                            flat.contains(
                                                                    ("(default:" + shown)
                                                                            .replaceAll(
                                                                                    "\\s+", "")),
                                                            option.longestName()
                                                                    + " default "
                                                                    + shown
                                                                    + " in\n"
                                                                    + text);
                                                }
                                            }
                                        }));
    }

    @TestFactory
    Stream<DynamicTest> usageErrorsGiveExitCode2AndNameTheOption() {
        return leafCommands().stream()
                .map(
                        path ->
                                DynamicTest.dynamicTest(
                                        String.join(" ", path),
                                        () -> {
                                            String prefix =
                                                    "clip2latent " + String.join(" ", path) + ": ";
                                            // With every required argument, so that the unknown
                                            // option is the only problem.
                                            List<String> valid = requiredArguments(spec(path));
                                            valid.add("--no-such-option");
                                            Outcome unknown =
                                                    Cli.run(
                                                            args(
                                                                    path,
                                                                    valid.toArray(String[]::new)));
                                            assertEquals(2, unknown.code(), unknown.err());
                                            assertTrue(
                                                    unknown.err()
                                                            .startsWith(
                                                                    prefix
                                                                            + "Unknown option:"
                                                                            + " '--no-such-option'"),
                                                    unknown.err());

                                            OptionSpec number = numericOption(spec(path));
                                            // Only export and import take no number (files in,
                                            // files out).
                                            OptionSpec valued =
                                                    number != null
                                                            ? number
                                                            : spec(path).findOption("--out");
                                            String name = valued.longestName();
                                            Outcome missing = Cli.run(args(path, name));
                                            assertEquals(2, missing.code(), missing.err());
                                            assertTrue(
                                                    missing.err()
                                                            .startsWith(
                                                                    prefix
                                                                            + "Missing required"
                                                                            + " parameter for"
                                                                            + " option '"
                                                                            + name
                                                                            + "'"),
                                                    missing.err());
                                            if (number == null) {
                                                assertTrue(
                                                        path.equals(List.of("train", "export"))
                                                                || path.equals(List.of("import")),
                                                        path.toString());
                                                return;
                                            }
                                            Outcome bad = Cli.run(args(path, name, "twelve"));
                                            assertEquals(2, bad.code(), bad.err());
                                            assertTrue(
                                                    bad.err()
                                                            .startsWith(
                                                                    prefix
                                                                            + "Invalid value for"
                                                                            + " option '"
                                                                            + name
                                                                            + "': 'twelve' is not"),
                                                    bad.err());
                                            assertTrue(
                                                    bad.err().contains("--help"),
                                                    "points to the help: " + bad.err());
                                            assertFalse(bad.out().contains("loading"), bad.out());
                                        }));
    }

    @Test
    void withoutArgumentsTheTopLevelHelpGoesToStandardErrorWithCode2() {
        Outcome none = Cli.run();
        assertEquals(2, none.code());
        assertTrue(none.err().contains("no command or prompt given"), none.err());
        assertTrue(none.err().contains("Commands:"), none.err());
        Outcome help = Cli.run("--help");
        assertEquals(0, help.code());
        for (List<String> path : leafCommands()) {
            assertTrue(help.out().contains(path.get(0)), path + " in\n" + help.out());
        }
    }
}
