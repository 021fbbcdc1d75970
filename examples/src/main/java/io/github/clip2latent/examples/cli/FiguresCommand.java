package io.github.clip2latent.examples.cli;

import io.github.clip2latent.examples.shapes.quality.DocsFigures;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code clip2latent figures}: the pictures of the documentation. */
@Command(
        name = "figures",
        mixinStandardHelpOptions = true,
        description =
                "Draws the pictures of docs/images: prompts, truncation, style mixing and an edit"
                        + " direction found from two prompts.")
final class FiguresCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin BundleOption bundle;

    @Mixin RuntimeOption runtime;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = RepositoryPaths.HOME + "/docs/images",
            description = "the folder of the PNG files (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws IOException {
        DocsFigures.write(bundle.directory(), out, runtime.options(), spec.commandLine().getOut());
        return 0;
    }
}
