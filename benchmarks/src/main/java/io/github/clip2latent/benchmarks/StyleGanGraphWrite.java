package io.github.clip2latent.benchmarks;

import io.github.clip2latent.convert.stylegan.StyleGan2SynthesisGraphWriter;
import io.github.clip2latent.convert.stylegan.StyleGan3SynthesisGraphWriter;
import io.github.clip2latent.convert.stylegan.StyleGanPickles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes the synthesis graph of a StyleGAN2 or StyleGAN3 network pickle with this project's graph
 * writers, for the speed measurements ({@code benchmarks/scripts/stylegan-speed.sh}). The graph is
 * the writer's own (noise layers as inputs), not the bundle importer's.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.clip2latent.benchmarks.StyleGanGraphWrite \
 *     stylegan2|stylegan3 network.pkl synthesis.onnx
 * </pre>
 */
public final class StyleGanGraphWrite {

    private StyleGanGraphWrite() {}

    /** Writes the graph; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println(
                    "usage: StyleGanGraphWrite stylegan2|stylegan3 network.pkl out.onnx");
            System.exit(2);
        }
        Path pickle = Path.of(args[1]);
        Path out = Path.of(args[2]);
        long t0 = System.nanoTime();
        switch (args[0]) {
            case "stylegan2" -> StyleGan2SynthesisGraphWriter.write(
                    StyleGanPickles.readStyleGan2(pickle).synthesis(),
                    pickle.getFileName().toString(),
                    out);
            case "stylegan3" -> StyleGan3SynthesisGraphWriter.write(pickle).write(out);
            default -> throw new IllegalArgumentException(
                    "family must be stylegan2 or stylegan3, got " + args[0]);
        }
        System.out.printf(
                Locale.ROOT,
                "wrote %s (%.1f MB) in %.1f s%n",
                out,
                Files.size(out) / 1e6,
                (System.nanoTime() - t0) / 1e9);
    }
}
