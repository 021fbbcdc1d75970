// Resident memory after Clip2Latent.load and after each of N one-candidate samples (VmRSS after a
// full collection). Single-file program, not part of the build:
//   java -Xmx2g -cp "examples/target/classes:$(cat examples/target/classpath.txt)" \
//       benchmarks/scripts/RssAfterLoad.java /tmp/c2l-paper/bundle 4
import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.runtime.RuntimeOptions;
import java.nio.file.*;

public class RssAfterLoad {
    static long rssMb() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status")))
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", "")) / 1024;
        return -1;
    }
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[1]);
        try (Clip2Latent m = Clip2Latent.load(Path.of(a[0]), RuntimeOptions.cpu().withIntraOpThreads(2))) {
            System.gc();
            System.out.println("RSS after load " + rssMb() + " MB");
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                m.prompt("an old man").seed(i).sample();
                System.gc();
                System.out.printf("sample %d: %.1f s, RSS %d MB%n", i + 1, (System.nanoTime() - t0) / 1e9, rssMb());
            }
        }
    }
}
