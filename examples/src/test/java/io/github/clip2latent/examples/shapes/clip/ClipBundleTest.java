package io.github.clip2latent.examples.shapes.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleResult;

import io.github.clip2latent.bundle.BundleWriter;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.examples.shapes.ShapesWorld;
import io.github.clip2latent.examples.shapes.build.WorldCaptionBatches;
import io.github.clip2latent.examples.shapes.build.WorldClip;
import io.github.clip2latent.image.ClipPreprocessor;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.fixtures.FixtureGraphs;
import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.convert.prior.PriorGraphWriter;
import io.github.clip2latent.convert.prior.PriorWeights;
import io.github.clip2latent.runtime.ImageEncoder;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.runtime.TextEncoder;
import io.github.clip2latent.tokenizer.ClipTokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The exported encoders pass bundle validation and the library's runtime stages reproduce SameDiff.
 */
class ClipBundleTest {

    @TempDir Path dir;

    @Test
    void exportedEncodersServeAsTheBundlesClip() throws Exception {
        Path tok = Files.createDirectory(dir.resolve("tokenizer"));
        ClipTokenizer tokenizer = WorldClip.writeTokenizer(tok);
        int c = 32;
        ClipModel model =
                ClipModel.initialize(
                        WorldClip.architecture(c),
                        WorldClip.trainedTokens(tokenizer),
                        tokenizer.endOfTextId(),
                        new SplittableRandom(11));
        ClipOnnxModels onnx = ClipOnnxModels.export(model, "bundle test");
        onnx.writeTo(Files.createDirectory(dir.resolve("graphs")));
        assertTrue(
                Files.size(dir.resolve("graphs").resolve(ClipOnnxModels.IMAGE_ENCODER_FILE)) > 0);

        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        BundleWriter writer =
                BundleWriter.to(dir.resolve("bundle"))
                        .id("world-clip")
                        .dimensions(c, 4, 8, c, 64)
                        .graph(
                                Stage.PRIOR,
                                PriorGraphWriter.build(
                                                PriorWeights.random(
                                                        new PriorConfig(c, 1, 2, 8, 1000), 1),
                                                "random")
                                        .toByteArray())
                        .graph(Stage.MAPPING, FixtureGraphs.mapping(8, c, 2, 2).toByteArray())
                        .graph(Stage.SYNTHESIS, FixtureGraphs.synthesis(4, c, 64, 3).toByteArray())
                        .openAiTokenizer(
                                tok.resolve(WorldClip.BPE_FILE),
                                tokenizer.mergeCount(),
                                tokenizer.contextLength())
                        .knownTokenIds(
                                Arrays.stream(WorldClip.trainedTokens(tokenizer).ids())
                                        .boxed()
                                        .toList())
                        .latentStats(new LatentStats(new float[c], ones));
        ModelBundle bundle = onnx.addTo(writer).write();
        assertEquals(
                WorldClip.trainedTokens(tokenizer).size(),
                ModelBundle.open(dir.resolve("bundle")).manifest().tokenizer().knownTokenIds().size(),
                "known token ids survive the manifest");

        ContrastiveBatch batch =
                new WorldCaptionBatches(ShapesWorld.create(7), 4).next(new SplittableRandom(4));
        int s = model.config().imageResolution();
        float[] pixels = new float[4 * 3 * s * s];
        new ClipPreprocessor(onnx.preprocessing()).apply(batch.images(), 4, 64, 64, pixels);
        SessionFactory sessions = new SessionFactory(RuntimeOptions.cpu());
        try (TextEncoder text = TextEncoder.open(bundle, sessions);
                ImageEncoder image = ImageEncoder.open(bundle, sessions)) {
            ClipOnnxParityTest.assertClose(
                    model.embedTexts(tokenizer.tokenizeBatch(batch.captions()), 4),
                    text.encode(batch.captions()));
            ClipOnnxParityTest.assertClose(
                    model.embedImages(pixels, 4), image.encode(batch.images(), 4, 64, 64));
        }
        assertEquals(c, bundle.manifest().embeddingDim());

        // Untrained words draw a warning naming them; the image is drawn anyway.
        try (Clip2Latent clip2latent = Clip2Latent.load(bundle.directory())) {
            SampleResult unknown = clip2latent.prompt("a red hexagon, 一个圆").seed(1).sample();
            assertEquals(1, unknown.count());
            assertEquals(1, unknown.warnings().size(), unknown.warnings().toString());
            String warning = unknown.warnings().get(0);
            assertTrue(
                    warning.contains("'hexagon,'") && warning.contains("'一个圆'"), warning);
            assertFalse(warning.contains("'red'"), warning);
            SampleResult known =
                    clip2latent.prompt("a small red circle in the centre").seed(1).sample();
            assertEquals(List.of(), known.warnings());
        }
    }
}
