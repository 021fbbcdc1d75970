// Resident memory after Clip2Latent.load and over N one-candidate samples (VmRSS of this process
// after a full collection). Prints RSS after load, after samples 1, 2, 5, 10, 20, 50, ... and the last,
// and the largest value seen; then asks glibc to return its free memory (jcmd System.trim_native_heap)
// and prints RSS again, which tells memory held by the allocator from memory still in use.
// Single-file program, not part of the build:
//   mvn -B -ntp -q -pl examples -am package -DskipTests
//   java -Xmx2g -cp "examples/target/classes:$(cat examples/target/classpath.txt)" \
//       benchmarks/scripts/RssAfterLoad.java BUNDLE N [arena=false] [candidates=1]
import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.runtime.RuntimeOptions;
import java.nio.file.*;

public class RssAfterLoad {
    static long rssMb() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status")))
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", "")) / 1024;
        return -1;
    }

    /** RSS after glibc's malloc_trim, run in this process by jcmd (JDK 17.0.9 and later). */
    static long trimmedRssMb() throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(ProcessHandle.current().pid()), "System.trim_native_heap")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        return rssMb();
    }

    static boolean reported(int i, int n) {
        if (i == n) return true;
        for (long k = 1; k <= i; k *= 10)
            if (i == k || i == 2 * k || i == 5 * k) return true;
        return false;
    }

    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[1]);
        boolean arena = a.length > 2 && Boolean.parseBoolean(a[2]);
        int candidates = a.length > 3 ? Integer.parseInt(a[3]) : 1;
        RuntimeOptions options =
                RuntimeOptions.cpu().withIntraOpThreads(2).withCpuMemoryArena(arena);
        try (Clip2Latent m = Clip2Latent.load(Path.of(a[0]), options)) {
            System.gc();
            long load = rssMb();
            System.out.println("RSS after load " + load + " MB (arena " + arena + ")");
            long max = load;
            long t0 = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                m.prompt("an old man").seed(i).candidates(candidates).sample();
                if (reported(i, n)) {
                    System.gc();
                    long rss = rssMb();
                    max = Math.max(max, rss);
                    Runtime rt = Runtime.getRuntime();
                    System.out.printf(
                            "after sample %d: RSS %d MB, after trim %d MB, Java heap used %d / committed %d MB (%.1f s elapsed)%n",
                            i, rss, trimmedRssMb(), (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20,
                            (System.nanoTime() - t0) / 1e9);
                }
            }
            System.out.printf("RESULT rss load %d MB, last %d MB (after trim %d MB), max %d MB over %d samples%n", load, rssMb(), trimmedRssMb(), max, n);
        }
    }
}
