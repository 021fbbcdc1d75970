// The world CLIP's image towers compared on the same batches: trains the world CLIP (OpenAI's text
// tower with either OpenAI's ViT image tower or the ConvImageTower the build uses) on the build's
// batches (WorldCaptionBatches: random scenes and their one-attribute twins) and, every EVAL steps,
// reads 300 fresh scenes zero-shot with the SameDiff model: shape ("a circle" / "a square" /
// "a triangle"), position (left / right / top / bottom, scenes in one region only), size (small /
// large), object color ("a red shape", ...), background ("a red background", ...) and the swap pair
// ("a X circle on a Y background" against "a Y circle on a X background"). Seeds as the build's
// (world 7, model and batches 1), so the conv rows repeat the build's first steps exactly.
// Single-file program, not part of the build:
//   mvn -B -ntp -q -pl examples -am package -DskipTests
//   OMP_NUM_THREADS=1 java -Xmx4g -cp "examples/target/classes:$(cat examples/target/classpath.txt)" \
//       benchmarks/scripts/WorldClipTowers.java vit|conv STEPS EVAL [learning-rate=1e-3 [decay]]
// ("decay": the rate falls linearly to 0 at STEPS, as the build's CLIP does)
import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.examples.shapes.*;
import io.github.clip2latent.examples.shapes.build.*;
import io.github.clip2latent.examples.shapes.clip.*;
import io.github.clip2latent.image.ClipPreprocessor;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.tokenizer.ClipTokenizer;
import java.util.*;

public class WorldClipTowers {
    public static void main(String[] a) throws Exception {
        boolean conv = a[0].equals("conv");
        int steps = Integer.parseInt(a[1]);
        int evalEvery = Integer.parseInt(a[2]);
        double lr = a.length > 3 ? Double.parseDouble(a[3]) : 1e-3;
        boolean decay = a.length > 4 && a[4].equals("decay");
        int batch = BuildPlan.standard().clipBatch();
        ShapesWorld world = ShapesWorld.create(BuildPlan.standard().worldSeed());
        ClipTokenizer tok = WorldClip.bundledTokenizer();
        SplittableRandom random = new SplittableRandom(BuildPlan.standard().seed());
        ClipModel model = ClipModel.initialize(WorldClip.architecture(BuildPlan.WIDTH),
                conv ? WorldClip.imageTower(BuildPlan.WIDTH) : null,
                WorldClip.trainedTokens(tok), tok.endOfTextId(), random);
        System.out.printf(Locale.ROOT, "%s tower, %d parameters, lr %g%s, batch %d%n",
                conv ? "conv" : "ViT", model.parameterCount(), lr, decay ? " decaying to 0" : "", batch);
        ClipTrainer trainer = ClipTrainer.create(model, tok, TrainingOptions.defaults().withLearningRate(lr).withDecaySteps(decay ? steps : 0));
        WorldCaptionBatches source = new WorldCaptionBatches(world, batch);
        long t0 = System.nanoTime();
        for (int done = 0; done < steps; ) {
            int n = Math.min(evalEvery, steps - done);
            TrainingSummary s = trainer.train(source, n, random, (st, loss, acc) -> {});
            done += n;
            System.out.printf(Locale.ROOT, "step %d: loss %.3f, %.2f s/step so far%n", done, s.finalLoss(),
                    (System.nanoTime() - t0) / 1e9 / done);
            evaluate(world, tok, model, done);
        }
    }

    static void evaluate(ShapesWorld world, ClipTokenizer tok, ClipModel model, int step) {
        int res = model.config().imageResolution();
        int rows = 300;
        int e = model.config().embedDim();
        float[] w = world.map(ShapesWorld.sampleZ(new SplittableRandom(2024), rows), rows);
        float[] ws = LayeredLatents.broadcast(w, rows, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
        float[] px = new float[rows * 3 * res * res];
        new ClipPreprocessor(ImagePreprocessing.clip(res)).apply(world.render(ws, rows), rows, 64, 64, px);
        float[] img = model.embedImages(px, rows);
        float[] shapes = text(tok, model, List.of("a circle", "a square", "a triangle"));
        float[] places = text(tok, model, List.of("a shape on the left", "a shape on the right",
                "a shape at the top", "a shape at the bottom"));
        float[] sizes = text(tok, model, List.of("a small shape", "a large shape"));
        List<String> colorWords = new ArrayList<>();
        List<String> backgroundWords = new ArrayList<>();
        for (PaletteColor c : PaletteColor.values()) {
            colorWords.add(article(c.word()) + " " + c.word() + " shape");
            backgroundWords.add("a " + c.word() + " background");
        }
        float[] colors = text(tok, model, colorWords);
        float[] backgrounds = text(tok, model, backgroundWords);
        Position[] order = {Position.LEFT, Position.RIGHT, Position.TOP, Position.BOTTOM};
        int[] right = new int[6];
        int[] count = new int[6];
        for (int i = 0; i < rows; i++) {
            WorldAttributes t = world.attributes(ws, i);
            if (t.shapeIsClear()) {
                count[0]++;
                right[0] += best(img, i, shapes, 3, e) == t.shape().ordinal() ? 1 : 0;
            }
            if (t.positions().size() == 1 && !t.positions().contains(Position.CENTER)) {
                count[1]++;
                right[1] += t.positions().contains(order[best(img, i, places, 4, e)]) ? 1 : 0;
            }
            if (t.sizeClass() != null) {
                count[2]++;
                right[2] += (best(img, i, sizes, 2, e) == 0) == (t.sizeClass() == SizeClass.SMALL) ? 1 : 0;
            }
            if (t.objectColorIsClear()) {
                count[3]++;
                right[3] += best(img, i, colors, 8, e) == t.objectColor().ordinal() ? 1 : 0;
            }
            if (t.backgroundColorIsClear()) {
                count[4]++;
                right[4] += best(img, i, backgrounds, 8, e) == t.backgroundColor().ordinal() ? 1 : 0;
            }
            if (t.objectColorIsClear() && t.backgroundColorIsClear() && t.shapeIsClear()) {
                String shape = t.shape().word();
                float[] pair = text(tok, model, List.of(
                        sentence(t.objectColor(), shape, t.backgroundColor()),
                        sentence(t.backgroundColor(), shape, t.objectColor())));
                count[5]++;
                right[5] += best(img, i, pair, 2, e) == 0 ? 1 : 0;
            }
        }
        String[] names = {"shape", "position", "size", "color", "background", "swap pair"};
        StringBuilder line = new StringBuilder("  step " + step + " zero-shot:");
        for (int k = 0; k < names.length; k++) {
            line.append(String.format(Locale.ROOT, " %s %.3f (%d)", names[k], (double) right[k] / count[k], count[k]));
        }
        System.out.println(line);
    }

    static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }

    static String sentence(PaletteColor object, String shape, PaletteColor background) {
        String obj = object.word() + " " + shape;
        return article(obj) + " " + obj + " on a " + background.word() + " background";
    }

    static float[] text(ClipTokenizer tok, ClipModel model, List<String> texts) {
        return model.embedTexts(tok.tokenizeBatch(texts), texts.size());
    }

    static int best(float[] img, int i, float[] texts, int count, int dim) {
        int b = 0;
        double bs = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < count; j++) {
            double c = cosine(img, i, texts, j, dim);
            if (c > bs) {
                bs = c;
                b = j;
            }
        }
        return b;
    }

    static double cosine(float[] a, int i, float[] b, int j, int dim) {
        double d = 0, na = 0, nb = 0;
        for (int k = 0; k < dim; k++) {
            double x = a[i * dim + k], y = b[j * dim + k];
            d += x * y;
            na += x * x;
            nb += y * y;
        }
        return d / Math.sqrt(na * nb);
    }
}
