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

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * A leak check: many {@code sample()} calls on one handle, with the process's resident memory
 * (VmRSS from {@code /proc/self/status}, so native memory of ONNX Runtime and direct buffers
 * counts) after the first 100 calls and after all, each read after a full collection. Target: the
 * growth stays within 50 MB. Exits with status 1 if it does not.
 *
 * <pre>
 * java -Xmx128m -cp benchmarks/target/benchmarks.jar io.github.clip2latent.benchmarks.LeakCheck [calls] [bundle]
 * </pre>
 *
 * Defaults: 10,000 calls on the tiny random bundle, 4 candidates each, guidance 2, a new seed per
 * call. A small fixed heap keeps the JVM's own heap growth from hiding (or faking) a native leak.
 */
public final class LeakCheck {

    private static final long LIMIT_BYTES = 50L << 20;
    private static final int FIRST = 100;

    private LeakCheck() {}

    /** Runs the check; see the class comment. */
    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        if (calls <= 2 * FIRST) {
            throw new IllegalArgumentException(
                    "calls must be more than " + 2 * FIRST + ", got " + calls);
        }
        Path bundle = args.length > 1 ? Path.of(args[1]) : BenchmarkData.tinyBundle();
        long afterFirst = 0;
        long atHalf = 0;
        long afterAll;
        long trimmedFirst = -1;
        long trimmedAll;
        long started = System.nanoTime();
        try (Clip2Latent model = Clip2Latent.load(bundle, RuntimeOptions.defaults())) {
            System.out.println(
                    "bundle "
                            + bundle
                            + ", "
                            + calls
                            + " calls; RSS before the first call "
                            + mb(residentBytes()));
            for (int i = 1; i <= calls; i++) {
                model.prompt("a photo of an old man with glasses").candidates(4).seed(i).sample();
                if (i == FIRST) {
                    afterFirst = settledResidentBytes();
                    report(i, afterFirst);
                    trimmedFirst = trimmedResidentBytes();
                } else if (i % 1000 == 0 || i == calls / 2) {
                    long rss = settledResidentBytes();
                    report(i, rss);
                    if (i == calls / 2) {
                        atHalf = rss;
                    }
                }
            }
            afterAll = settledResidentBytes();
            trimmedAll = trimmedResidentBytes();
        }
        long afterClose = settledResidentBytes();
        long growth = afterAll - afterFirst;
        System.out.println(
                String.format(
                        Locale.ROOT,
                        "RSS after %d calls %s, after all %d calls %s: growth %s, limit %s; %.1f s;"
                                + " after closing the handle %s, open sessions %d",
                        FIRST,
                        mb(afterFirst),
                        calls,
                        mb(afterAll),
                        mb(growth),
                        mb(LIMIT_BYTES),
                        (System.nanoTime() - started) / 1e9,
                        mb(afterClose),
                        SessionFactory.openSessionCount()));
        // The JIT's own memory (C2 arenas, code cache) grows over the first thousands of calls; the
        // second
        // half, long after warm-up, is where a per-call leak would show on its own.
        System.out.println("growth over the second half of the calls: " + mb(afterAll - atHalf));
        if (trimmedFirst >= 0 && trimmedAll >= 0) {
            System.out.println(
                    "with glibc's free memory returned to the system (System.trim_native_heap):"
                            + " after "
                            + FIRST
                            + " calls "
                            + mb(trimmedFirst)
                            + ", after all "
                            + mb(trimmedAll)
                            + ", growth "
                            + mb(trimmedAll - trimmedFirst));
        }
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
        System.out.println(
                String.format(
                        Locale.ROOT,
                        "after %6d calls: RSS %s, heap used %s, direct buffers %s",
                        calls,
                        mb(rss),
                        mb(runtime.totalMemory() - runtime.freeMemory()),
                        mb(direct)));
    }

    /**
     * VmRSS after a full collection: garbage and the direct buffers that only a collection frees
     * (their cleaners run after it) would otherwise count as growth, hiding a leak's signal in the
     * heap's sizing. What survives a collection is what a leak would keep.
     */
    static long settledResidentBytes() throws IOException, InterruptedException {
        System.gc();
        Thread.sleep(200); // lets the reference handler run the direct buffers' cleaners
        return residentBytes();
    }

    /**
     * VmRSS after asking glibc to return its free memory to the system, or -1 where the JVM has no
     * such command. Memory that C2's compiler arenas and ONNX Runtime freed stays resident in
     * malloc's pools; trimming it tells that retention apart from memory still in use.
     */
    static long trimmedResidentBytes() throws IOException {
        try {
            ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "systemTrimNativeHeap",
                            new Object[] {new String[0]},
                            new String[] {String[].class.getName()});
        } catch (JMException | RuntimeException e) {
            return -1;
        }
        return residentBytes();
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
