package io.github.clip2latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.conditioning.Similarity;
import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.latent.EditDirection;
import io.github.clip2latent.latent.LayerRange;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.runtime.ExecutionProvider;
import io.github.clip2latent.runtime.Generator;
import io.github.clip2latent.runtime.ImageEncoder;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.runtime.TextEncoder;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.NodeList;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;

/** The whole pipeline on CPU, through real ONNX Runtime sessions, on a generated random bundle. */
class Clip2LatentEndToEndTest {

    @TempDir static Path dir;
    static ModelBundle bundle;
    static Clip2Latent model;

    @BeforeAll
    static void load() throws Exception {
        bundle = RandomBundles.write(dir.resolve("bundle"), RandomBundles.Spec.tiny(), 11);
        model = Clip2Latent.load(bundle.directory(), RuntimeOptions.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void outputsHaveTheDeclaredShapesAndRanges() {
        SampleResult result = model.prompt("a red circle").samples(3).seed(1).sample();
        assertEquals(3, result.count());
        assertEquals(16, result.height());
        assertEquals(16, result.width());
        assertEquals(3 * 3 * 16 * 16, result.pixels().length);
        assertEquals(3 * 16, result.w().length);
        assertEquals(3 * 4 * 16, result.ws().length);
        assertEquals(3, result.clipScores().length);
        for (float p : result.pixels()) {
            assertTrue(p >= -1 && p <= 1, "pixel " + p);
        }
        for (float s : result.clipScores()) {
            assertTrue(s >= -1 && s <= 1 && Float.isFinite(s), "score " + s);
        }
        for (float v : result.w()) {
            assertTrue(Float.isFinite(v));
        }
        BufferedImage image = result.image(2);
        assertEquals(16, image.getWidth());
        assertEquals(1L, result.seed());
        assertTrue(result.timings().totalNanos() >= result.timings().priorNanos());
        assertTrue(result.timings().priorNanos() > 0);
        assertEquals(ExecutionProvider.CPU, model.executionProvider());
        // w is broadcast to every layer when there is no mixing or edit
        assertArrayEquals(LayeredLatents.broadcast(result.w(), 3, 4, 16), result.ws());
    }

    @Test
    void sameSeedSameImagesDifferentSeedDifferentImages() {
        float[] a = model.prompt("an old man").seed(5).sample().pixels();
        float[] b = model.prompt("an old man").seed(5).sample().pixels();
        float[] c = model.prompt("an old man").seed(6).sample().pixels();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void truncateZeroGivesTheImageOfTheLatentMean() throws Exception {
        SampleResult result = model.prompt("a blue square").truncate(0).seed(3).sample();
        float[] mean = bundle.latentStats().mean();
        assertArrayEquals(mean, result.w());
        try (Generator generator =
                Generator.open(bundle, new SessionFactory(RuntimeOptions.cpu()))) {
            float[] expected = generator.synthesize(LayeredLatents.broadcast(mean, 1, 4, 16), 1);
            assertArrayEquals(expected, result.pixels(), 1e-6f);
        }
    }

    @Test
    void candidatesKeepTheCandidateWithTheHighestScoreRecomputedIndependently() throws Exception {
        String prompt = "a woman with glasses";
        SampleResult all = model.prompt(prompt).samples(6).seed(21).sample();
        SampleResult best = model.prompt(prompt).candidates(6).seed(21).sample();
        SessionFactory sessions = new SessionFactory(RuntimeOptions.cpu());
        try (TextEncoder text = TextEncoder.open(bundle, sessions);
                ImageEncoder images = ImageEncoder.open(bundle, sessions)) {
            float[] condition = text.encode(List.of(prompt));
            float[] embeddings = images.encode(all.pixels(), 6, 16, 16);
            int argmax = 0;
            double top = -2;
            for (int i = 0; i < 6; i++) {
                double score = Similarity.cosine(embeddings, i * 16, condition, 0, 16);
                assertEquals(score, all.clipScores()[i], 1e-5);
                if (score > top) {
                    top = score;
                    argmax = i;
                }
            }
            assertEquals(1, best.count());
            float[] expected = Arrays.copyOfRange(all.pixels(), argmax * 768, (argmax + 1) * 768);
            assertArrayEquals(expected, best.pixels());
            assertEquals(top, best.clipScores()[0], 1e-5);
        }
    }

    @Test
    void styleMixingChangesOnlyTheChosenLayersOfWs() {
        float[] plain = model.prompt("a red circle").seed(8).sample().ws();
        float[] mixed =
                model.prompt("a red circle")
                        .seed(8)
                        .styleMix(new LayerRange(2, 4), 99)
                        .sample()
                        .ws();
        for (int layer = 0; layer < 4; layer++) {
            float[] a = Arrays.copyOfRange(plain, layer * 16, (layer + 1) * 16);
            float[] b = Arrays.copyOfRange(mixed, layer * 16, (layer + 1) * 16);
            if (layer < 2) {
                assertArrayEquals(a, b, "coarse layer " + layer + " kept");
            } else {
                assertFalse(Arrays.equals(a, b), "fine layer " + layer + " mixed");
            }
        }
        assertArrayEquals(
                Arrays.copyOfRange(mixed, 32, 48),
                Arrays.copyOfRange(mixed, 48, 64),
                "both mixed layers come from the same donor w");
    }

    @Test
    void guidanceOneAndTwoDiffer() {
        float[] one = model.prompt("a photo of a man").guidance(1).seed(4).sample().w();
        float[] two = model.prompt("a photo of a man").guidance(2).seed(4).sample().w();
        assertFalse(Arrays.equals(one, two));
    }

    @Test
    void negativePromptAndOtherConditionsChangeTheResult() {
        float[] plain = model.prompt("a red circle").seed(4).sample().w();
        float[] negative = model.prompt("a red circle").negativePrompt("blue").seed(4).sample().w();
        assertFalse(Arrays.equals(plain, negative));
        SampleResult source = model.prompt("a blue square").seed(2).sample();
        SampleResult variation = model.image(source.image(0)).seed(2).sample();
        assertEquals(1, variation.count());
        float[] embedding = new float[16];
        embedding[3] = 2f;
        assertEquals(1, model.embedding(embedding).seed(1).sample().count());
        IllegalArgumentException wrongWidth =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> model.embedding(new float[7]).seed(1).sample());
        assertTrue(
                wrongWidth.getMessage().contains("7") && wrongWidth.getMessage().contains("16"),
                wrongWidth.getMessage());
    }

    @Test
    void editsAddTheDirectionTimesTheStrength() {
        EditDirection smile = bundle.directions().get("smile");
        float[] plain = model.prompt("a man smiling").seed(12).sample().ws();
        float[] edited =
                model.prompt("a man smiling")
                        .seed(12)
                        .edit(smile, 1.5, new LayerRange(1, 3))
                        .sample()
                        .ws();
        float[] direction = smile.values();
        for (int layer = 0; layer < 4; layer++) {
            for (int d = 0; d < 16; d++) {
                int i = layer * 16 + d;
                float expected =
                        layer >= 1 && layer < 3 ? plain[i] + 1.5f * direction[d] : plain[i];
                assertEquals(expected, edited[i], 1e-5);
            }
        }
        EditDirection fromText = model.direction("red", "blue", 4);
        assertEquals(16, fromText.dim());
        assertTrue(fromText.isVector());
        float norm = 0;
        for (float v : fromText.values()) {
            norm += v * v;
        }
        assertTrue(norm > 0);
    }

    @Test
    void stepsSkipAndSamplersAreHonoured() {
        float[] reference = model.prompt("a man").seed(30).sample().w();
        float[] skip250 = model.prompt("a man").skip(250).seed(30).sample().w();
        float[] steps4 = model.prompt("a man").steps(4).seed(30).sample().w();
        float[] ddim =
                model.prompt("a man").steps(7).sampler(SamplerKind.DDIM).seed(30).sample().w();
        assertArrayEquals(reference, skip250, "the default is the reference's skip 250");
        assertNotEquals(
                Arrays.toString(reference),
                Arrays.toString(steps4),
                "consistent noise differs from the quirk");
        assertTrue(Float.isFinite(ddim[0]));
    }

    @Test
    void eightThreadsOnOneHandleGiveTheSameImagesAsOneByOne() throws Exception {
        List<SampleRequest> requests = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            requests.add(
                    SampleRequest.builder()
                            .prompt(RandomBundles.WORDS.get(i % 14) + " circle")
                            .samples(2)
                            .guidance(1 + i % 3)
                            .seed(100 + i)
                            .build());
        }
        List<float[]> sequential = new ArrayList<>();
        for (SampleRequest request : requests) {
            sequential.add(model.sample(request).pixels());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (SampleRequest request : requests) {
                futures.add(pool.submit(() -> model.sample(request).pixels()));
            }
            for (int i = 0; i < requests.size(); i++) {
                assertArrayEquals(sequential.get(i), futures.get(i).get(), "request " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void savedPngsCarryTheRequestSeedAndBundle() throws Exception {
        SampleResult result = model.prompt("a red square").seed(77).samples(2).sample();
        List<Path> files = result.save(dir.resolve("out/red.png"));
        assertEquals(List.of(dir.resolve("out/red-0.png"), dir.resolve("out/red-1.png")), files);
        try (ImageInputStream in = ImageIO.createImageInputStream(files.get(1).toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            IIOMetadataNode root =
                    (IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            NodeList entries = root.getElementsByTagName("tEXtEntry");
            java.util.Map<String, String> text = new java.util.HashMap<>();
            for (int i = 0; i < entries.getLength(); i++) {
                IIOMetadataNode entry = (IIOMetadataNode) entries.item(i);
                text.put(entry.getAttribute("keyword"), entry.getAttribute("value"));
            }
            assertEquals("77", text.get("clip2latent.seed"));
            assertEquals("random-11", text.get("clip2latent.bundle"));
            assertTrue(text.get("clip2latent.request").contains("a red square"), text.toString());
            BufferedImage read = reader.read(0);
            assertEquals(result.image(1).getRGB(5, 5), read.getRGB(5, 5));
            reader.dispose();
        }
    }

    @Test
    void requestSettersRejectBadValuesNamingThem() {
        assertMessage(() -> model.prompt(""), "prompt must not be empty");
        assertMessage(() -> model.prompt("   "), "prompt must not be empty");
        assertMessage(() -> model.prompt("a man").guidance(-0.5), "-0.5");
        assertMessage(() -> model.prompt("a man").truncate(1.2), "1.2");
        assertMessage(() -> model.prompt("a man").truncate(-0.1), "-0.1");
        assertMessage(() -> model.prompt("a man").candidates(0), "candidates must be >= 1, got 0");
        assertMessage(() -> model.prompt("a man").samples(0), "samples must be >= 1, got 0");
        assertMessage(() -> model.prompt("a man").steps(0), "steps must be >= 1, got 0");
        assertMessage(() -> model.prompt("a man").skip(300).seed(1).sample(), "300");
        assertMessage(
                () -> model.prompt("a man").styleMix(new LayerRange(2, 9), 1).seed(1).sample(),
                "4 layers");
        String tooLong = "a ".repeat(80);
        assertMessage(() -> model.prompt(tooLong).seed(1).sample(), "77");
    }

    private static void assertMessage(
            org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(
                e.getMessage().contains(fragment),
                "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
