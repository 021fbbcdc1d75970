package io.github.clip2latent.benchmarks;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A leak check: many {@code sample()} calls on one handle, with the process's resident memory (VmRSS from
 * {@code /proc/self/status}, so native memory of ONNX Runtime and direct buffers counts) after the first
 * 100 calls and after all. Target: the growth stays within 50 MB. Exits with status 1 if it does not.
 *
 * <pre>
 * java -Xmx256m -cp benchmarks/target/benchmarks.jar io.github.clip2latent.benchmarks.LeakCheck [calls] [bundle]
 * </pre>
 *
 * Defaults: 10,000 calls on the tiny random bundle, 4 candidates each, guidance 2, a new seed per call.
 * A small fixed heap keeps the JVM's own heap growth from hiding (or faking) a native leak.
 */
public final class LeakCheck {

    private static final long LIMIT_BYTES = 50L << 20;
    private static final int FIRST = 100;

    private LeakCheck() {
    }

    /** Runs the check; see the class comment. */
    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path bundle = args.length > 1 ? Path.of(args[1]) : BenchmarkData.tinyBundle();
        long afterFirst = 0;
        long started = System.nanoTime();
        try (Clip2Latent model = Clip2Latent.load(bundle, RuntimeOptions.defaults())) {
            System.out.println("bundle " + bundle + ", " + calls + " calls; RSS before the first call "
                    + mb(residentBytes()));
            for (int i = 1; i <= calls; i++) {
                model.prompt("a photo of an old man with glasses").candidates(4).seed(i).sample();
                if (i == FIRST) {
                    afterFirst = residentBytes();
                    report(i, afterFirst);
                } else if (i % 1000 == 0) {
                    report(i, residentBytes());
                }
            }
        }
        long afterAll = residentBytes();
        long growth = afterAll - afterFirst;
        System.out.println(String.format(Locale.ROOT,
                "RSS after %d calls %s, after all %d calls %s (handle closed): growth %s, limit %s; %.1f s; "
                        + "open sessions %d",
                FIRST, mb(afterFirst), calls, mb(afterAll), mb(growth), mb(LIMIT_BYTES),
                (System.nanoTime() - started) / 1e9, SessionFactory.openSessionCount()));
        if (growth > LIMIT_BYTES) {
            System.out.println("FAIL: resident memory grew by more than the limit");
            System.exit(1);
        }
        System.out.println("PASS");
    }

    private static void report(int calls, long rss) {
        Runtime runtime = Runtime.getRuntime();
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
            }
        }
        System.out.println(String.format(Locale.ROOT, "after %6d calls: RSS %s, heap used %s, direct buffers %s",
                calls, mb(rss), mb(runtime.totalMemory() - runtime.freeMemory()), mb(direct)));
    }

    /** VmRSS of this process, in bytes. */
    static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024; // the kernel reports kB
            }
        }
        throw new IOException("no VmRSS line in /proc/self/status (not Linux?)");
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }
}
