// Whether the prior's misses come from the scale of the world CLIP's text embeddings: the prior
// takes raw embeddings (reference section 2) and is trained on image embeddings only, and the
// world CLIP's two towers were trained through a cosine loss, so nothing ties their raw norms
// together. Measures the mean raw norm of 2,000 world images' embeddings and of their training
// captions', then samples the compositional set (4 samples per prompt, guidance 2, seeds as
// `quality --set compositional`) from each prompt's text embedding (0) as is, (1) shifted by mean
// image - mean text embedding, (2) rescaled to the mean image norm, (3) rescaled to twice it,
// (4) multiplied by the ratio of the mean norms (what scaling the text projection does), (5) the
// same at best of 16, (6) the build's text calibration (mean image + ratio (text - mean text),
// WorldTextCalibration), (7) the same at best of 16, and the other maps tried: (8) a shift on the
// unit sphere (text/|t| - mean text/|t| + mean image/|i|) rescaled to the mean image norm, (9) per
// dimension: mean image + (text - mean text) std image / std text, (10) a ridge regression from text
// to image embeddings (lambda 1e-3 of the mean variance); and prints the share of images with every
// named attribute right and the named position's accuracy by position. Sampling goes through
// embedding(...), so a bundle's own calibration is bypassed: "as is" is the raw text embedding.
// Single-file program, not part of the build:
//   mvn -B -ntp -q -pl examples -am package -DskipTests
//   java -cp "examples/target/classes:$(cat examples/target/classpath.txt)" \
//       benchmarks/scripts/TextEmbeddingScale.java examples/bundles/shapes-world
import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.examples.shapes.*;
import io.github.clip2latent.examples.shapes.quality.*;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.runtime.*;
import java.nio.file.Path;
import java.util.*;

public class TextEmbeddingScale {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        ModelBundle bundle = ModelBundle.open(dir);
        ShapesWorld world = QualityBenchmark.worldOf(bundle);
        int n = 2000;
        int e = bundle.manifest().embeddingDim();
        float[] w = world.map(ShapesWorld.sampleZ(new SplittableRandom(9), n), n);
        float[] ws = LayeredLatents.broadcast(w, n, ShapesWorld.NUM_WS, ShapesWorld.W_DIM);
        float[] images = world.render(ws, n);
        SplittableRandom random = new SplittableRandom(10);
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SceneCaption c = CaptionWriter.describe(world.attributes(ws, i), random);
            captions.add(c == null ? "a shape" : CaptionWriter.write(c, random));
        }
        double[] meanImage = new double[e];
        double[] meanText = new double[e];
        double imageNorm = 0;
        double textNorm = 0;
        SessionFactory sessions = new SessionFactory(RuntimeOptions.cpu());
        try (TextEncoder text = TextEncoder.open(bundle, sessions);
                ImageEncoder image = ImageEncoder.open(bundle, sessions);
                Clip2Latent model = Clip2Latent.load(dir)) {
            float[] allText = new float[n * e];
            float[] ie = image.encode(images, n, ShapesWorld.IMAGE_SIZE, ShapesWorld.IMAGE_SIZE);
            for (int s = 0; s < n; s += 200) {
                float[] te = text.encode(captions.subList(s, s + 200));
                System.arraycopy(te, 0, allText, s * e, 200 * e);
                for (int i = 0; i < 200; i++) {
                    textNorm += norm(te, i * e, e) / n;
                    for (int k = 0; k < e; k++) {
                        meanText[k] += te[i * e + k] / (double) n;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                imageNorm += norm(ie, i * e, e) / n;
                for (int k = 0; k < e; k++) {
                    meanImage[k] += ie[i * e + k] / (double) n;
                }
            }
            System.out.printf(Locale.ROOT, "mean raw norm: images %.2f, their captions %.2f%n", imageNorm, textNorm);
            String[] modes = {"text embedding as is", "shifted by mean image - mean text",
                "rescaled to the mean image norm", "rescaled to twice the mean image norm",
                "multiplied by mean image norm / mean text norm",
                "multiplied by mean image norm / mean text norm, best of 16",
                "mean image + ratio (text - mean text)",
                "mean image + ratio (text - mean text), best of 16",
                "unit-sphere shift, rescaled to the mean image norm",
                "mean image + (text - mean text) per-dimension std ratio",
                "ridge regression from text to image embeddings"};
            double[] stdImage = new double[e];
            double[] stdText = new double[e];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < e; k++) {
                    stdImage[k] += Math.pow(ie[i * e + k] - meanImage[k], 2) / n;
                    stdText[k] += Math.pow(allText[i * e + k] - meanText[k], 2) / n;
                }
            }
            double[][] ridge = ridge(allText, ie, meanText, meanImage, n, e);
            List<BenchmarkPrompt> prompts = CompositionalPrompts.standard();
            for (int mode = 0; mode < modes.length; mode++) {
                int right = 0;
                int total = 0;
                Map<String, int[]> byPosition = new TreeMap<>();
                for (int p = 0; p < prompts.size(); p++) {
                    float[] t = text.encode(List.of(prompts.get(p).text()));
                    float[] raw = t.clone();
                    double ratio = imageNorm / textNorm;
                    if (mode == 1) {
                        for (int k = 0; k < e; k++) {
                            t[k] += (float) (meanImage[k] - meanText[k]);
                        }
                    } else if (mode == 4 || mode == 5) {
                        for (int k = 0; k < e; k++) {
                            t[k] *= (float) ratio;
                        }
                    } else if (mode == 2 || mode == 3) {
                        double scale = (mode == 2 ? imageNorm : 2 * imageNorm) / norm(t, 0, e);
                        for (int k = 0; k < e; k++) {
                            t[k] *= (float) scale;
                        }
                    } else if (mode == 6 || mode == 7) {
                        for (int k = 0; k < e; k++) {
                            t[k] = (float) (meanImage[k] + ratio * (raw[k] - meanText[k]));
                        }
                    } else if (mode == 8) {
                        double tn = norm(raw, 0, e);
                        for (int k = 0; k < e; k++) {
                            t[k] = (float) (raw[k] / tn - meanText[k] / textNorm + meanImage[k] / imageNorm);
                        }
                        double scale = imageNorm / norm(t, 0, e);
                        for (int k = 0; k < e; k++) {
                            t[k] *= (float) scale;
                        }
                    } else if (mode == 9) {
                        for (int k = 0; k < e; k++) {
                            t[k] = (float) (meanImage[k] + (raw[k] - meanText[k]) * Math.sqrt(stdImage[k] / stdText[k]));
                        }
                    } else if (mode == 10) {
                        for (int q = 0; q < e; q++) {
                            double v = meanImage[q];
                            for (int k = 0; k < e; k++) {
                                v += (raw[k] - meanText[k]) * ridge[k][q];
                            }
                            t[q] = (float) v;
                        }
                    }
                    long seed = CompositionalEvaluator.seedOf(prompts, p, 1000);
                    SampleResult r = model.embedding(t).guidance(2).samples(4).candidates(mode == 5 || mode == 7 ? 16 : 1).seed(seed).sample();
                    Caption meaning = prompts.get(p).meaning();
                    for (int i = 0; i < r.count(); i++) {
                        CaptionCheck check = meaning.check(world.attributes(r.ws(), i));
                        total++;
                        right += check.allConfirmed() ? 1 : 0;
                        if (meaning.position() != null) {
                            int[] q = byPosition.computeIfAbsent(meaning.position().name(), k -> new int[2]);
                            q[0]++;
                            q[1] += check.confirmed().contains(CaptionAttribute.POSITION) ? 1 : 0;
                        }
                    }
                }
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                        "%s: all right %.3f of %d images; position right by name:", modes[mode], (double) right / total, total));
                byPosition.forEach((k, q) -> line.append(String.format(Locale.ROOT, " %s %.3f", k, (double) q[1] / q[0])));
                System.out.println(line);
            }
        }
    }

    /** Ridge regression of centered image on centered text embeddings: W = (T'T + lambda I)^-1 T'I. */
    static double[][] ridge(float[] text, float[] image, double[] meanText, double[] meanImage, int n, int e) {
        double[][] a = new double[e][2 * e];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < e; p++) {
                double tp = text[i * e + p] - meanText[p];
                for (int q = 0; q < e; q++) {
                    a[p][q] += tp * (text[i * e + q] - meanText[q]);
                    a[p][e + q] += tp * (image[i * e + q] - meanImage[q]);
                }
            }
        }
        double trace = 0;
        for (int p = 0; p < e; p++) {
            trace += a[p][p];
        }
        for (int p = 0; p < e; p++) {
            a[p][p] += 1e-3 * trace / e;
        }
        for (int c = 0; c < e; c++) {
            int pivot = c;
            for (int r = c + 1; r < e; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
                    pivot = r;
                }
            }
            double[] swap = a[c];
            a[c] = a[pivot];
            a[pivot] = swap;
            double d = a[c][c];
            for (int q = 0; q < 2 * e; q++) {
                a[c][q] /= d;
            }
            for (int r = 0; r < e; r++) {
                if (r != c && a[r][c] != 0) {
                    double f = a[r][c];
                    for (int q = 0; q < 2 * e; q++) {
                        a[r][q] -= f * a[c][q];
                    }
                }
            }
        }
        double[][] w = new double[e][e];
        for (int p = 0; p < e; p++) {
            System.arraycopy(a[p], e, w[p], 0, e);
        }
        return w;
    }

    static double norm(float[] v, int offset, int dim) {
        double s = 0;
        for (int k = 0; k < dim; k++) {
            s += v[offset + k] * v[offset + k];
        }
        return Math.sqrt(s);
    }
}
