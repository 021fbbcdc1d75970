package io.github.clip2latent.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code clip2latent}: the one command line of the project. Text in, PNG out with {@code
 * clip2latent "a red circle"} (the {@code sample} command is the default), and the project's other
 * programs as subcommands. Exit codes everywhere: 0 success, 1 a failure while running, 2 a command
 * line that cannot be run (unknown option, missing or bad value, missing input file).
 *
 * <p>Subcommands are registered in {@link #commandLine()} only.
 */
@Command(
        name = "clip2latent",
        mixinStandardHelpOptions = true,
        versionProvider = Clip2LatentCommand.Version.class,
        description = {
            "Text-to-image sampling of a StyleGAN with a CLIP-conditioned diffusion prior"
                    + " (clip2latent).",
            "A first argument that is not a command is a prompt for 'sample':"
                    + " clip2latent \"a red circle\" --out out.png"
        },
        synopsisSubcommandLabel = "[COMMAND]",
        commandListHeading = "%nCommands:%n",
        footer = {"", "'clip2latent COMMAND --help' describes the options of a command."})
public final class Clip2LatentCommand implements Runnable {

    /** Exit code of a failure while running (a bad bundle, a failed write, ...). */
    public static final int FAILED = 1;

    /** Exit code of a command line that cannot be run. */
    public static final int USAGE = 2;

    @Spec CommandSpec spec;

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command line with the given streams.
     *
     * @param args the arguments; a first argument that is neither a command nor a help or version
     *     option starts {@code sample}
     * @param out progress, results and help
     * @param err error messages
     * @return the exit code: 0, 1 or 2
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine();
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        return cli.execute(withDefaultCommand(cli, args));
    }

    /**
     * The command tree with every subcommand; the one place where subcommands are registered, and
     * the error handling every command shares.
     *
     * @return a fresh command line
     */
    public static CommandLine commandLine() {
        CommandLine cli =
                new CommandLine(new Clip2LatentCommand())
                        .addSubcommand(new SampleCommand())
                        .addSubcommand(
                                new CommandLine(new TrainCommand())
                                        .addSubcommand(new TrainCommand.Generate())
                                        .addSubcommand(new TrainCommand.Fit())
                                        .addSubcommand(new TrainCommand.Export())
                                        .addSubcommand(new TrainCommand.Eval()))
                        .addSubcommand(new BuildShapesCommand())
                        .addSubcommand(new QualityCommand())
                        .addSubcommand(new FiguresCommand())
                        .addSubcommand(new ImportCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler(Clip2LatentCommand::usageError);
        cli.setExecutionExceptionHandler(Clip2LatentCommand::failure);
        return cli;
    }

    /** Without a command, the top-level help on standard error and the usage exit code. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "no command or prompt given");
    }

    private static final Set<String> OWN_OPTIONS = Set.of("-h", "--help", "-V", "--version");

    /** {@code args}, with {@code sample} in front when they do not start with a command. */
    static String[] withDefaultCommand(CommandLine cli, String[] args) {
        if (args.length == 0
                || OWN_OPTIONS.contains(args[0])
                || cli.getSubcommands().containsKey(args[0])) {
            return args;
        }
        List<String> withSample = new ArrayList<>(args.length + 1);
        withSample.add(SampleCommand.NAME);
        withSample.addAll(Arrays.asList(args));
        return withSample.toArray(String[]::new);
    }

    /** One line naming the command and the problem, then where to read more; exit code 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage());
        if (command.getCommandSpec().subcommands().isEmpty()) {
            err.println("Try '" + name + " --help' for more information.");
        } else {
            command.usage(err);
        }
        return USAGE;
    }

    /**
     * A failure while running: its message (which names the file, stage or value) and those of its
     * causes, without a stack trace for the failures a user can act on; exit code 1.
     */
    private static int failure(
            Exception e, CommandLine command, CommandLine.ParseResult parseResult) {
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        StringBuilder message = new StringBuilder(name).append(": ").append(describe(e));
        for (Throwable cause = e.getCause();
                cause != null && cause != cause.getCause();
                cause = cause.getCause()) {
            String text = describe(cause);
            if (!message.toString().contains(text)) {
                message.append(System.lineSeparator()).append("  caused by: ").append(text);
            }
        }
        err.println(message);
        if (e instanceof RuntimeException
                && !(e instanceof IllegalArgumentException)
                && !(e instanceof IllegalStateException)
                && !(e instanceof java.io.UncheckedIOException)) {
            // A defect rather than a user's problem: keep the trace for the report.
            e.printStackTrace(err);
        }
        return FAILED;
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    /**
     * The project version from the jar manifest, or "development build" from the classes folder.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Clip2LatentCommand.class.getPackage().getImplementationVersion();
            return new String[] {
                "clip2latent " + (version == null ? "(development build)" : version)
            };
        }
    }
}
