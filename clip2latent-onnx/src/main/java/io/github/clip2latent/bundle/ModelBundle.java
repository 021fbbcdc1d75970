package io.github.clip2latent.bundle;

import io.github.clip2latent.latent.EditDirection;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.npy.Npy;
import io.github.clip2latent.npy.NpyArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bundle folder whose manifest has been read and whose files have been checked: every referenced
 * file exists, the latent stats and directions have the manifest's shapes. The graphs themselves
 * are checked when their sessions are created ({@code io.github.clip2latent.runtime}). Immutable.
 */
public final class ModelBundle {

    private final Path directory;
    private final BundleManifest manifest;
    private final LatentStats latentStats;
    private final float[] wAvg;
    private final Map<String, EditDirection> directions;

    private ModelBundle(
            Path directory,
            BundleManifest manifest,
            LatentStats latentStats,
            float[] wAvg,
            Map<String, EditDirection> directions) {
        this.directory = directory;
        this.manifest = manifest;
        this.latentStats = latentStats;
        this.wAvg = wAvg;
        this.directions = directions;
    }

    /**
     * Opens the bundle in {@code directory}.
     *
     * @throws BundleException naming the file and the problem: a missing folder, manifest or file,
     *     a malformed manifest, a stats or direction array of the wrong shape
     */
    public static ModelBundle open(Path directory) throws BundleException {
        return open(directory, true);
    }

    /**
     * Opens the bundle in {@code directory}, verifying the SHA-256 of every file against the
     * manifest's {@code checksums} when {@code verifyChecksums} is set (a bundle without checksums,
     * written before they existed, loads unverified).
     *
     * @throws BundleException as {@link #open(Path)}, and naming a file whose bytes differ from its
     *     recorded checksum
     */
    public static ModelBundle open(Path directory, boolean verifyChecksums) throws BundleException {
        Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new BundleException(
                    "bundle folder " + dir + " does not exist or is not a folder");
        }
        BundleManifest manifest = ManifestCodec.read(dir.resolve(BundleManifest.FILE_NAME));
        StageContract.check(manifest, dir.resolve(BundleManifest.FILE_NAME));
        for (Stage stage : manifest.stages().keySet()) {
            requireFile(dir, manifest.stage(stage).file(), "stage " + stage.key());
        }
        BundleManifest.TokenizerFiles tok = manifest.tokenizer();
        if (tok.bpeVocabulary() != null) {
            requireFile(dir, tok.bpeVocabulary(), "tokenizer");
        } else if (tok.tokenizerJson() != null) {
            requireFile(dir, tok.tokenizerJson(), "tokenizer");
        } else {
            requireFile(dir, tok.vocab(), "tokenizer");
            requireFile(dir, tok.merges(), "tokenizer");
        }
        for (String file : manifest.files()) {
            requireFile(dir, file, "bundle");
        }
        if (verifyChecksums && !manifest.checksums().isEmpty()) {
            verifyChecksums(dir, manifest);
        }
        int d = manifest.latentDim();
        float[] mean = readVector(dir, manifest.latentMean(), "latent mean", d);
        float[] std = readVector(dir, manifest.latentStd(), "latent std", d);
        requireFinite(dir, manifest.latentMean(), "latent mean", mean);
        requireFinite(dir, manifest.latentStd(), "latent std", std);
        LatentStats stats;
        try {
            stats = new LatentStats(mean, std);
        } catch (IllegalArgumentException e) {
            throw new BundleException(dir.resolve(manifest.latentStd()) + ": " + e.getMessage(), e);
        }
        float[] wAvg =
                manifest.wAvg() == null ? null : readVector(dir, manifest.wAvg(), "w_avg", d);
        Map<String, EditDirection> directions = new TreeMap<>();
        for (Map.Entry<String, String> e : manifest.directions().entrySet()) {
            directions.put(e.getKey(), readDirection(dir, e.getKey(), e.getValue(), manifest));
        }
        return new ModelBundle(
                dir, manifest, stats, wAvg, java.util.Collections.unmodifiableMap(directions));
    }

    private static void verifyChecksums(Path dir, BundleManifest manifest) throws BundleException {
        for (String relative : manifest.files()) {
            String expected = manifest.checksums().get(relative);
            Path file = dir.resolve(relative);
            if (expected == null) {
                throw new BundleException(
                        dir.resolve(BundleManifest.FILE_NAME)
                                + ": checksums has no SHA-256 for "
                                + relative
                                + " (every file of the bundle needs one)");
            }
            String actual;
            try {
                actual = Checksums.sha256(file);
            } catch (IOException e) {
                throw new BundleException(
                        "bundle " + dir + ": cannot read " + file + ": " + e.getMessage(), e);
            }
            if (!actual.equals(expected)) {
                throw new BundleException(
                        file
                                + ": SHA-256 is "
                                + actual
                                + ", the manifest records "
                                + expected
                                + ": the file is corrupt or was changed after the bundle was"
                                + " written (rewrite the bundle, or load it with"
                                + " RuntimeOptions.withChecksumVerification(false) to skip the"
                                + " check)");
            }
        }
    }

    private static void requireFinite(Path dir, String relative, String what, float[] values)
            throws BundleException {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new BundleException(
                        dir.resolve(relative)
                                + ": "
                                + what
                                + "["
                                + i
                                + "] is "
                                + values[i]
                                + "; every value must be finite");
            }
        }
    }

    private static Path requireFile(Path dir, String relative, String what) throws BundleException {
        Path file = dir.resolve(relative).normalize();
        if (!file.startsWith(dir)) {
            throw new BundleException(
                    dir.resolve(BundleManifest.FILE_NAME)
                            + ": "
                            + what
                            + " file '"
                            + relative
                            + "' lies outside the bundle folder");
        }
        if (!Files.isRegularFile(file)) {
            throw new BundleException(
                    "bundle " + dir + ": " + what + " file " + file + " is missing");
        }
        return file;
    }

    private static NpyArray readArray(Path dir, String relative, String what)
            throws BundleException {
        Path file = requireFile(dir, relative, what);
        try {
            return Npy.read(file);
        } catch (IOException | RuntimeException e) {
            // RuntimeException: a header whose shape overflows (ArithmeticException) or lies.
            throw new BundleException(
                    "bundle "
                            + dir
                            + ": cannot read "
                            + what
                            + " from "
                            + file
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static float[] readVector(Path dir, String relative, String what, int dim)
            throws BundleException {
        NpyArray array = readArray(dir, relative, what);
        if (array.rank() != 1 || array.dim(0) != dim) {
            throw new BundleException(
                    dir.resolve(relative)
                            + ": "
                            + what
                            + " must have shape ("
                            + dim
                            + ",) to match latent.dim, found "
                            + array.shapeString());
        }
        return array.data();
    }

    private static EditDirection readDirection(
            Path dir, String name, String relative, BundleManifest m) throws BundleException {
        NpyArray array = readArray(dir, relative, "direction '" + name + "'");
        int d = m.latentDim();
        if (array.rank() == 1 && array.dim(0) == d) {
            return EditDirection.ofVector(array.data());
        }
        if (array.rank() == 2 && array.dim(0) == m.numWs() && array.dim(1) == d) {
            return EditDirection.ofLayers(array.data(), m.numWs(), d);
        }
        throw new BundleException(
                dir.resolve(relative)
                        + ": direction '"
                        + name
                        + "' must have shape ("
                        + d
                        + ",) or ("
                        + m.numWs()
                        + ", "
                        + d
                        + "), found "
                        + array.shapeString());
    }

    /** The bundle folder, absolute. */
    public Path directory() {
        return directory;
    }

    /** The manifest. */
    public BundleManifest manifest() {
        return manifest;
    }

    /** The file of a stage's graph. */
    public Path stageFile(Stage stage) {
        StageSpec spec = manifest.stage(stage);
        if (spec == null) {
            throw new IllegalArgumentException(
                    "bundle "
                            + directory
                            + " has no stage "
                            + stage.key()
                            + " (an optional stage)");
        }
        return directory.resolve(spec.file());
    }

    /** A file of the bundle, resolved against its folder. */
    public Path resolve(String relative) {
        return directory.resolve(relative);
    }

    /** The training stats of w. */
    public LatentStats latentStats() {
        return latentStats;
    }

    /** StyleGAN's own w_avg if the bundle has it, else null (a copy). */
    public float[] wAvg() {
        return wAvg == null ? null : wAvg.clone();
    }

    /** The named edit directions. */
    public Map<String, EditDirection> directions() {
        return directions;
    }

    @Override
    public String toString() {
        return "ModelBundle[" + manifest.id() + " at " + directory + "]";
    }
}
