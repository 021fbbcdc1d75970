package io.github.clip2latent.examples.cli;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.examples.shapes.build.BuildPlan;
import io.github.clip2latent.examples.shapes.build.ShapesBundleBuilder;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code clip2latent build-shapes}: rebuilds the embedded shapes-world bundle from seeds. */
@Command(
        name = "build-shapes",
        mixinStandardHelpOptions = true,
        description = {
            "Builds the shapes-world bundle from seeds: the world's generator graphs, a CLIP"
                + " trained on rendered images and captions, the (w, e) dataset and the prior.",
            "Intermediate results go to --work; re-running resumes the dataset and the prior."
        })
final class BuildShapesCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = BundleOption.DEFAULT_BUNDLE,
            description = "the new bundle folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(
            names = "--work",
            paramLabel = "DIR",
            defaultValue = RepositoryPaths.HOME + "/examples/target/shapes-build",
            description = "folder of the intermediate results (default: ${DEFAULT-VALUE})")
    Path work;

    @Option(
            names = "--alpha",
            paramLabel = "A",
            description = "pseudo-text noise strength of the prior (default: the standard plan's)")
    Double alpha;

    @Option(
            names = "--quick",
            description = "a small plan (200 CLIP steps, 300 prior steps, 5000 pairs) for a try")
    boolean quick;

    @Option(
            names = "--prior-steps",
            paramLabel = "N",
            description = "prior training steps (default: the plan's)")
    Integer priorSteps;

    @Option(
            names = "--clip-steps",
            paramLabel = "N",
            description = "world CLIP training steps (default: the plan's)")
    Integer clipSteps;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description =
                    "build seed: the CLIP's initialisation and batches, the (w, e) pairs and the"
                            + " prior; the world stays the same (default: the plan's, 1)")
    Long seed;

    @Override
    public Integer call() throws IOException {
        BuildPlan plan = Checks.usage(spec, this::plan);
        PrintWriter stdout = spec.commandLine().getOut();
        String threads = System.getenv("OMP_NUM_THREADS");
        stdout.printf(
                Locale.ROOT,
                "SameDiff threads: %s (OMP_NUM_THREADS; the trained weights depend on it,"
                        + " 1 rebuilds the embedded bundle)%n",
                threads == null ? "unset, all cores" : threads);
        long start = System.nanoTime();
        ModelBundle bundle = ShapesBundleBuilder.build(plan, work, out, stdout::println);
        stdout.printf(
                Locale.ROOT,
                "wrote %s in %.1f min%n",
                bundle.directory(),
                (System.nanoTime() - start) / 6e10);
        return 0;
    }

    private BuildPlan plan() {
        BuildPlan plan = BuildPlan.standard();
        if (alpha != null) {
            plan = plan.withAlpha(alpha);
        }
        if (quick) {
            plan = plan.withSteps(200, 300).withDatasetSamples(5000);
        }
        if (priorSteps != null) {
            plan = plan.withSteps(plan.clipSteps(), priorSteps);
        }
        if (clipSteps != null) {
            plan = plan.withSteps(clipSteps, plan.priorSteps());
        }
        if (seed != null) {
            plan = plan.withSeed(seed);
        }
        return plan;
    }
}
