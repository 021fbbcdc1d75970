package io.github.clip2latent.benchmarks;

import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.fixtures.RandomBundles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * What verifying bundle checksums at load costs at the published size (docs/reliability.md): a
 * random bundle with the paper's prior graph (D = 512, 12 blocks of 12 heads of 64; about 195 MB)
 * opened with and without verification, in interleaved rounds, and the SHA-256 of a 600 MB file,
 * the published bundle's size. Run:
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -Xmx3g -cp benchmarks/target/benchmarks.jar \
 *     io.github.clip2latent.benchmarks.ChecksumCost /tmp/c2l-checksums 3
 * </pre>
 */
public final class ChecksumCost {

    private ChecksumCost() {}

    /** Arguments: scratch folder (wiped), rounds. */
    public static void main(String[] args) throws IOException {
        Path work = Path.of(args.length > 0 ? args[0] : "/tmp/c2l-checksums");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        deleteRecursively(work);
        Files.createDirectories(work);
        RandomBundles.Spec paper =
                new RandomBundles.Spec(512, 4, 8, 16, 8, new PriorConfig(512, 12, 12, 64, 1000));
        Path bundle = RandomBundles.write(work.resolve("bundle"), paper, 1).directory();
        long bundleBytes = size(bundle);
        Path big = work.resolve("published-size.bin");
        writeRandom(big, 600L << 20);
        ModelBundle.open(bundle, false); // warm the page cache and the JIT
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            ModelBundle.open(bundle, false);
            long t1 = System.nanoTime();
            ModelBundle.open(bundle, true);
            long t2 = System.nanoTime();
            MoreFiles.asByteSource(big).hash(Hashing.sha256());
            long t3 = System.nanoTime();
            double extra = (t2 - t1 - (t1 - t0)) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "round %d: bundle %.0f MB: open %.3f s unverified, %.3f s verified (+%.3f s,"
                            + " %.0f MB/s); sha256 of 600 MB: %.2f s (%.0f MB/s)%n",
                    r + 1,
                    bundleBytes / 1e6,
                    (t1 - t0) / 1e9,
                    (t2 - t1) / 1e9,
                    extra,
                    bundleBytes / 1e6 / extra,
                    (t3 - t2) / 1e9,
                    (600L << 20) / 1e6 / ((t3 - t2) / 1e9));
        }
        deleteRecursively(work);
    }

    private static void writeRandom(Path file, long bytes) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < bytes; done += block.length) {
                random.nextBytes(block);
                out.write(block);
            }
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            p -> {
                                try {
                                    return Files.size(p);
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            })
                    .sum();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
