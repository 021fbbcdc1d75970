// Where the prior puts the object: for a few prompts at guidance 0, 1 and 2, the mean object
// center of 64 single samples (seed 5) and how many land in each region; then, on the
// compositional set (4 samples per prompt, seeds as `quality --set compositional`), the share of
// images with the named position right, by the position named. Finds the bias toward the bottom
// that conditioning on a text embedding adds (docs/quality.md, shapes-world-v4).
// Single-file program, not part of the build:
//   mvn -B -ntp -q -pl examples -am package -DskipTests
//   java -cp "examples/target/classes:$(cat examples/target/classpath.txt)" \
//       benchmarks/scripts/PriorPositionBias.java examples/bundles/shapes-world [candidates=1]
import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.examples.shapes.*;
import io.github.clip2latent.examples.shapes.quality.*;
import io.github.clip2latent.latent.LayeredLatents;
import java.nio.file.Path;
import java.util.*;

public class PriorPositionBias {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        int candidates = a.length > 1 ? Integer.parseInt(a[1]) : 1;
        ShapesWorld world = QualityBenchmark.worldOf(ModelBundle.open(dir));
        try (Clip2Latent model = Clip2Latent.load(dir)) {
            for (String prompt : List.of("a red circle", "a shape", "a red circle in the center",
                    "a red circle on the left", "a red circle at the top")) {
                for (double g : new double[] {0, 1, 2}) {
                    SampleResult r = model.prompt(prompt).guidance(g).samples(64).candidates(1).seed(5).sample();
                    double sx = 0, sy = 0;
                    Map<String, Integer> regions = new TreeMap<>();
                    for (int i = 0; i < r.count(); i++) {
                        WorldAttributes t = world.attributes(r.ws(), i);
                        sx += t.centerX();
                        sy += t.centerY();
                        for (Position p : t.positions()) {
                            regions.merge(p.name(), 1, Integer::sum);
                        }
                    }
                    System.out.printf(Locale.ROOT, "%-28s guidance %.0f: mean center (%.1f, %.1f), regions %s%n",
                            prompt, g, sx / r.count(), sy / r.count(), regions);
                }
            }
            List<BenchmarkPrompt> prompts = CompositionalPrompts.standard();
            QualityEvaluator.Settings settings =
                    new QualityEvaluator.Settings("bias", 2.0, 0, 250, SamplerKind.DDPM, candidates, 4, 1000);
            Map<String, int[]> byPosition = new TreeMap<>();
            for (int p = 0; p < prompts.size(); p++) {
                Caption meaning = prompts.get(p).meaning();
                if (meaning.position() == null) {
                    continue;
                }
                long seed = CompositionalEvaluator.seedOf(prompts, p, settings.seed());
                SampleResult r = settings.request(model, prompts.get(p).text(), seed).sample();
                for (int i = 0; i < r.count(); i++) {
                    CaptionCheck check = meaning.check(world.attributes(r.ws(), i));
                    int[] n = byPosition.computeIfAbsent(meaning.position().name(), k -> new int[2]);
                    n[0]++;
                    n[1] += check.confirmed().contains(CaptionAttribute.POSITION) ? 1 : 0;
                }
            }
            byPosition.forEach((k, n) -> System.out.printf(Locale.ROOT,
                    "compositional, best of %d, named %-7s: position right in %d of %d (%.3f)%n",
                    candidates, k, n[1], n[0], (double) n[1] / n[0]));
        }
        float[] w = world.map(ShapesWorld.sampleZ(new SplittableRandom(3), 2000), 2000);
        float[] ws = LayeredLatents.broadcast(w, 2000, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
        double sx = 0, sy = 0;
        for (int i = 0; i < 2000; i++) {
            WorldAttributes t = world.attributes(ws, i);
            sx += t.centerX();
            sy += t.centerY();
        }
        System.out.printf(Locale.ROOT, "the world itself, z ~ N(0, I), 2000 samples: mean center (%.1f, %.1f)%n",
                sx / 2000, sy / 2000);
    }
}
