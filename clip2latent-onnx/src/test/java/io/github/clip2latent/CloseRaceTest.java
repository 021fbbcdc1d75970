package io.github.clip2latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.runtime.RuntimeOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issue 14 item 1: {@code close()} while other threads sample crashed the JVM (SIGSEGV in
 * libonnxruntime under the prior runner, or a C++ abort). The race runs in a child JVM, so a crash
 * fails this test instead of killing the test runner.
 */
class CloseRaceTest {

    private static final int ROUNDS = 12;
    private static final int THREADS = 8;

    /**
     * Child process: each round loads the bundle, starts {@value #THREADS} threads that sample in a
     * loop, closes the handle after a random delay, and checks that every thread either finished
     * its calls or got the clean "closed" exception. Prints "rounds N ok" at the end.
     */
    public static void main(String[] args) throws Exception {
        Path bundle = Path.of(args[0]);
        SplittableRandom random = new SplittableRandom(7);
        int completedCalls = 0;
        int refusedCalls = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Clip2Latent model = Clip2Latent.load(bundle, RuntimeOptions.cpu());
            CountDownLatch started = new CountDownLatch(THREADS);
            AtomicInteger completed = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                Thread thread =
                        new Thread(
                                () -> {
                                    started.countDown();
                                    try {
                                        for (int i = 0; ; i++) {
                                            model.prompt("a red circle")
                                                    .samples(2)
                                                    .seed(seed * 1000 + i)
                                                    .sample();
                                            completed.incrementAndGet();
                                        }
                                    } catch (IllegalStateException e) {
                                        if (String.valueOf(e.getMessage())
                                                .contains("Clip2Latent handle is closed")) {
                                            refused.incrementAndGet();
                                        } else {
                                            unexpected.compareAndSet(null, e);
                                        }
                                    } catch (Throwable e) {
                                        unexpected.compareAndSet(null, e);
                                    }
                                });
                threads.add(thread);
                thread.start();
            }
            started.await();
            Thread.sleep(random.nextInt(5, 60));
            model.close();
            for (Thread thread : threads) {
                thread.join(60_000);
            }
            if (unexpected.get() != null) {
                System.out.println("round " + round + ": unexpected " + unexpected.get());
                unexpected.get().printStackTrace(System.out);
                System.exit(3);
            }
            completedCalls += completed.get();
            refusedCalls += refused.get();
        }
        System.out.println(
                "rounds " + ROUNDS + " ok, calls " + completedCalls + ", refused " + refusedCalls);
    }

    @Test
    void closeWhileManyThreadsSampleNeverCrashesAndRefusesLaterCalls(@TempDir Path dir)
            throws Exception {
        Path bundle =
                RandomBundles.write(dir.resolve("b"), RandomBundles.Spec.tiny(), 1).directory();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child =
                new ProcessBuilder(
                                List.of(
                                        java,
                                        "-Xmx256m",
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        CloseRaceTest.class.getName(),
                                        bundle.toString()))
                        .redirectErrorStream(true)
                        .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(300, TimeUnit.SECONDS), "child did not finish");
        assertEquals(0, child.exitValue(), "child JVM failed or crashed:\n" + output);
        assertTrue(output.contains("rounds " + ROUNDS + " ok"), output);
        assertTrue(output.contains("refused "), output);
    }
}
