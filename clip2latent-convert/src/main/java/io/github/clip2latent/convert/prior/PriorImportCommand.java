package io.github.clip2latent.convert.prior;

import io.github.clip2latent.convert.read.ConversionException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A developer command that imports a clip2latent prior checkpoint into the prior ONNX graph and
 * prints what it found (see docs/converting.md): {@code PriorImportCommand CHECKPOINT OUT.onnx
 * [--online]}. Bundles are assembled by the import command of the runtime, which calls {@link
 * PriorCheckpointImporter} the same way.
 */
public final class PriorImportCommand {

    private PriorImportCommand() {}

    /**
     * Runs the import.
     *
     * @param args the checkpoint, the output file, optionally {@code --online}
     */
    public static void main(String[] args) {
        if (args.length < 2
                || args.length > 3
                || (args.length == 3 && !args[2].equals("--online"))) {
            System.err.println("usage: PriorImportCommand CHECKPOINT OUT.onnx [--online]");
            System.exit(2);
        }
        PriorCheckpointImporter.Copy copy =
                args.length == 3
                        ? PriorCheckpointImporter.Copy.ONLINE
                        : PriorCheckpointImporter.Copy.EMA;
        long start = System.nanoTime();
        try {
            PriorImport r =
                    PriorCheckpointImporter.importCheckpoint(
                            Path.of(args[0]), Path.of(args[1]), copy);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "imported %s (%s copy, sha256 %s)%n  %s, %,d parameters, %s schedule of %d"
                        + " steps%n  latent_mean[0..3] %s, latent_std[0..3] %s%n  wrote %s in %.1f"
                        + " s%n",
                    args[0],
                    r.copy(),
                    r.sourceSha256(),
                    r.config(),
                    r.config().parameterCount(),
                    r.scheduleName(),
                    r.timesteps(),
                    Arrays.toString(Arrays.copyOf(r.latentMean(), 3)),
                    Arrays.toString(Arrays.copyOf(r.latentStd(), 3)),
                    r.graphFile(),
                    seconds);
        } catch (ConversionException | IOException e) {
            System.err.println("import failed: " + e.getMessage());
            System.exit(1);
        }
    }
}
