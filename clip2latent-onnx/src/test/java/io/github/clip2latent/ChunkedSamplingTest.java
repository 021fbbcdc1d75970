package io.github.clip2latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.diffusion.SamplerKind;
import io.github.clip2latent.fixtures.RandomBundles;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.tokenizer.TruncationPolicy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Issue 14 item 3 (chunked, bounded sampling with exact row counts) and issue 15 (SampleRequest
 * checked in its constructor, toBuilder, image equality).
 */
class ChunkedSamplingTest {

    @TempDir static Path dir;
    static Clip2Latent model;

    @BeforeAll
    static void load() throws Exception {
        model =
                Clip2Latent.load(
                        RandomBundles.write(dir.resolve("b"), RandomBundles.Spec.tiny(), 3)
                                .directory(),
                        RuntimeOptions.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void sampleEachDeliversExactlyTheImagesOfSampleInOrder() throws IOException {
        SampleRequest request =
                model.prompts(List.of("a red circle", "a blue square", "an old man"))
                        .samples(5)
                        .candidates(2)
                        .chunkRows(4)
                        .seed(9)
                        .build();
        SampleResult whole = model.sample(request);
        assertEquals(15, whole.count());
        List<Long> firsts = new ArrayList<>();
        float[] pixels = new float[whole.pixels().length];
        float[] ws = new float[whole.ws().length];
        float[] scores = new float[whole.count()];
        model.sampleEach(
                request,
                (first, chunk) -> {
                    firsts.add(first);
                    assertEquals(request, chunk.request());
                    int px = 3 * 16 * 16;
                    System.arraycopy(
                            chunk.pixels(), 0, pixels, (int) first * px, chunk.count() * px);
                    System.arraycopy(chunk.ws(), 0, ws, (int) first * 64, chunk.count() * 64);
                    System.arraycopy(chunk.clipScores(), 0, scores, (int) first, chunk.count());
                });
        // chunkRows 4 with 2 candidates: 2 images per chunk.
        assertEquals(List.of(0L, 2L, 4L, 6L, 8L, 10L, 12L, 14L), firsts);
        assertArrayEquals(whole.pixels(), pixels);
        assertArrayEquals(whole.ws(), ws);
        assertArrayEquals(whole.clipScores(), scores);
    }

    @Test
    void chunksSeeTheirOwnConditionsAndTheChunkSizeIsPartOfTheRecipe() {
        SampleRequest.Builder b =
                model.prompts(List.of("a red circle", "a blue square")).samples(3).seed(4);
        SampleResult one = b.chunkRows(64).sample();
        SampleResult again = b.chunkRows(64).sample();
        SampleResult chunked = b.chunkRows(2).sample();
        assertArrayEquals(one.pixels(), again.pixels());
        assertEquals(6, chunked.count());
        assertFalse(java.util.Arrays.equals(one.pixels(), chunked.pixels()));
        // Once the request spans chunks, the chunk size is recorded with it (PNG metadata).
        assertTrue(
                chunked.request().describe().contains("chunkRows=2"), chunked.request().describe());
        assertFalse(one.request().describe().contains("chunkRows"), one.request().describe());
    }

    @Test
    void rowCountsAreExactAndOversizedResultsAreRefusedBeforeAnyStageRuns() {
        SampleRequest huge =
                model.prompt("a red circle").samples(65536).candidates(65536).seed(1).build();
        assertEquals(65536L * 65536L, huge.rowCount());
        assertEquals(65536L, huge.outputCount());
        SampleRequest tooMany =
                model.prompt("a red circle").samples(Integer.MAX_VALUE).seed(1).build();
        long t0 = System.nanoTime();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> model.sample(tooMany));
        assertTrue(e.getMessage().contains("results alone"), e.getMessage());
        assertTrue(e.getMessage().contains("2,147,483,647 images"), e.getMessage());
        assertTrue(e.getMessage().contains("sampleEach"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refused up front");
        List<String> many = Collections.nCopies(65536, "a red circle");
        SampleRequest product = model.prompts(many).samples(65536).seed(1).build();
        assertEquals(65536L * 65536L, product.outputCount());
        e = assertThrows(IllegalArgumentException.class, () -> model.sample(product));
        assertTrue(e.getMessage().contains("4,294,967,296 images"), e.getMessage());
    }

    @Test
    void aTooLongPromptNamesTheSettingAndTruncateAcceptsIt() {
        String longPrompt = String.join(" ", Collections.nCopies(100, "red"));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> model.prompt(longPrompt).seed(1).sample());
        assertTrue(e.getMessage().contains("promptTruncation"), e.getMessage());
        SampleResult result =
                model.prompt(longPrompt)
                        .promptTruncation(TruncationPolicy.TRUNCATE)
                        .seed(1)
                        .sample();
        assertEquals(1, result.count());
        assertTrue(result.request().describe().contains("promptTruncation=TRUNCATE"));
    }

    @Test
    void theConstructorChecksEveryFieldSoNoPublicPathSkipsTheChecks() {
        SampleRequest valid = SampleRequest.builder().prompt("a red circle").seed(1).build();
        assertEquals(valid, valid.toBuilder().build());
        assertEquals(valid.hashCode(), valid.toBuilder().build().hashCode());
        assertEquals(7, valid.toBuilder().samples(7).build().samples());
        assertMessage(
                "guidance must be a finite value >= 0, got NaN",
                () -> withGuidance(valid, Float.NaN));
        assertMessage("samples must be >= 1, got 0", () -> withSamples(valid, 0));
        assertMessage(
                "truncate psi must be in [0, 1], got 2.0",
                () ->
                        new SampleRequest(
                                valid.prompts(),
                                null,
                                null,
                                null,
                                2f,
                                2f,
                                0,
                                250,
                                SamplerKind.DDPM,
                                1,
                                1,
                                1L,
                                null,
                                List.of(),
                                TruncationPolicy.ERROR,
                                16,
                                SynthesisNoise.RANDOM,
                                RerankMode.FULL));
        assertMessage(
                "prompt 0 must not be empty",
                () ->
                        new SampleRequest(
                                List.of(" "),
                                null,
                                null,
                                null,
                                2f,
                                1f,
                                0,
                                250,
                                SamplerKind.DDPM,
                                1,
                                1,
                                1L,
                                null,
                                List.of(),
                                TruncationPolicy.ERROR,
                                16,
                                SynthesisNoise.RANDOM,
                                RerankMode.FULL));
        assertMessage(
                "embedding[1] is not finite",
                () ->
                        new SampleRequest(
                                List.of(),
                                null,
                                new float[] {1, Float.NaN},
                                null,
                                2f,
                                1f,
                                0,
                                250,
                                SamplerKind.DDPM,
                                1,
                                1,
                                1L,
                                null,
                                List.of(),
                                TruncationPolicy.ERROR,
                                16,
                                SynthesisNoise.RANDOM,
                                RerankMode.FULL));
        assertMessage("chunkRows must be >= 1, got 0", () -> valid.toBuilder().chunkRows(0));
    }

    @Test
    void requestsWithDifferentImagesAreNotEqual() {
        BufferedImage red = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        BufferedImage blue = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        BufferedImage red2 = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                red.setRGB(x, y, 0xff0000);
                red2.setRGB(x, y, 0xff0000);
                blue.setRGB(x, y, 0x0000ff);
            }
        }
        SampleRequest a = SampleRequest.builder().image(red).seed(1).build();
        SampleRequest b = SampleRequest.builder().image(blue).seed(1).build();
        SampleRequest c = SampleRequest.builder().image(red2).seed(1).build();
        assertNotEquals(a, b);
        assertEquals(a, c);
        assertEquals(a.hashCode(), c.hashCode());
    }

    private static SampleRequest withGuidance(SampleRequest r, float guidance) {
        return new SampleRequest(
                r.prompts(),
                r.image(),
                r.embedding(),
                r.negativePrompt(),
                guidance,
                r.truncation(),
                r.steps(),
                r.skip(),
                r.sampler(),
                r.samples(),
                r.candidates(),
                r.seed(),
                r.styleMix(),
                r.edits(),
                r.promptTruncation(),
                r.chunkRows(),
                r.noise(),
                r.rerank());
    }

    private static SampleRequest withSamples(SampleRequest r, int samples) {
        return new SampleRequest(
                r.prompts(),
                r.image(),
                r.embedding(),
                r.negativePrompt(),
                r.guidance(),
                r.truncation(),
                r.steps(),
                r.skip(),
                r.sampler(),
                samples,
                r.candidates(),
                r.seed(),
                r.styleMix(),
                r.edits(),
                r.promptTruncation(),
                r.chunkRows(),
                r.noise(),
                r.rerank());
    }

    private static void assertMessage(String expected, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
