package io.github.clip2latent.benchmarks;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.convert.prior.PriorConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Where the benchmarks' seeded random bundles live, and writing them on first use.
 *
 * <p>The folder is {@code benchmarks/target/bench-data} (found from the location of the benchmark
 * classes, so it does not depend on the working directory), or the system property {@value
 * #DIR_PROPERTY}. A bundle is written once and reused by later forks and runs: writing the
 * paper-size prior (48.77 M random parameters, ~195 MB) takes seconds that would otherwise land in
 * every fork's set-up. Nothing here is committed; {@code mvn clean} removes it.
 */
public final class BenchmarkData {

    /** System property overriding the data folder. */
    public static final String DIR_PROPERTY = "clip2latent.bench.dir";

    /**
     * System property naming a real bundle for the end-to-end benchmarks (the shapes-world bundle,
     * later).
     */
    public static final String BUNDLE_PROPERTY = "clip2latent.bench.bundle";

    /** The seed of every random bundle, so that all runs measure the same weights. */
    public static final long SEED = 1;

    /**
     * Image size of the paper-prior bundle: small, so that the prior dominates as it does on a GPU
     * at 1024 px.
     */
    static final int SMALL_IMAGE = 32;

    private BenchmarkData() {}

    /** The data folder, created if missing. */
    public static Path directory() {
        String override = System.getProperty(DIR_PROPERTY);
        Path dir;
        if (override != null && !override.isBlank()) {
            dir = Path.of(override);
        } else {
            dir = targetFolder().resolve("bench-data");
        }
        try {
            return Files.createDirectories(dir.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the benchmark data folder " + dir, e);
        }
    }

    /**
     * {@code benchmarks/target}: the folder holding {@code benchmarks.jar} or {@code classes/}.
     * Falls back to {@code target} under the working directory when the code source is not a file
     * (never expected).
     */
    private static Path targetFolder() {
        CodeSource source = BenchmarkData.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return Path.of("target");
        }
        try {
            Path parent = Path.of(source.getLocation().toURI()).getParent();
            return parent != null ? parent : Path.of("target");
        } catch (URISyntaxException | IllegalArgumentException e) {
            // Not a file: URL (e.g. a nested jar); the working directory is the best guess left.
            return Path.of("target");
        }
    }

    /**
     * A random bundle whose prior has the paper's size (dim 512, depth 12, 12 heads of 64, 1000
     * steps) and 18 w layers like FFHQ 1024; the other stages are small fixture graphs with 32 px
     * images.
     */
    public static Path paperPriorBundle() {
        return bundle(
                "random-paper-prior-seed" + SEED,
                new RandomBundles.Spec(
                        512, 18, 512, SMALL_IMAGE, SMALL_IMAGE, PriorConfig.paper()));
    }

    /**
     * The tiny random bundle (D = 16, 2-block prior, 16 px images): fast enough for 10,000 calls.
     */
    public static Path tinyBundle() {
        return bundle("random-tiny-seed" + SEED, RandomBundles.Spec.tiny());
    }

    /**
     * The bundle the end-to-end benchmarks load: {@code parameter} if not blank, else the system
     * property {@value #BUNDLE_PROPERTY}, else the paper-prior random bundle.
     */
    public static Path endToEndBundle(String parameter) {
        if (parameter != null && !parameter.isBlank()) {
            return Path.of(parameter);
        }
        String property = System.getProperty(BUNDLE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        return paperPriorBundle();
    }

    /**
     * The bundle {@code name} under the data folder, written from {@code spec} unless already
     * there.
     */
    static synchronized Path bundle(String name, RandomBundles.Spec spec) {
        Path dir = directory().resolve(name);
        try {
            if (Files.isRegularFile(dir.resolve("clip2latent.json"))) {
                // Opening validates it, so a damaged bundle from an interrupted run is caught here.
                ModelBundle.open(dir);
                return dir;
            }
            RandomBundles.write(dir, spec, SEED);
            return dir;
        } catch (BundleException e) {
            throw new IllegalStateException(
                    "the cached benchmark bundle "
                            + dir
                            + " is damaged; delete it to have it written again",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark bundle " + dir, e);
        }
    }
}
