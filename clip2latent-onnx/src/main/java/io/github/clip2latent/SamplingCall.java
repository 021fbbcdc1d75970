package io.github.clip2latent;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.clip2latent.bundle.BundleManifest;
import io.github.clip2latent.conditioning.Similarity;
import io.github.clip2latent.diffusion.GuidedSampling;
import io.github.clip2latent.diffusion.NoiseSource;
import io.github.clip2latent.diffusion.StandardNormal;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.latent.LayerRange;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.latent.Truncation;
import io.github.clip2latent.runtime.Generator;
import io.github.clip2latent.runtime.NoiseBuffers;
import io.github.clip2latent.runtime.PriorNetwork;
import io.github.clip2latent.schedule.SamplingPlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One {@code sample()} call: condition, prior sampling with guidance, latent operations, synthesis
 * and CLIP re-ranking. Rows are laid out condition-major: row {@code (c * samples + s) * candidates
 * + k}.
 *
 * <p>The rows go through every stage in chunks of whole images (all candidates of an image in one
 * chunk), {@code max(1, chunkRows / candidates)} images at a time, so the memory of a call is
 * bounded by the chunk plus its results. All randomness comes from one {@link SplittableRandom}
 * seeded by the request, drawn chunk after chunk in a fixed order (the chunk's initial noise, then
 * the sampler's noise), so a seed reproduces the same bits for the same chunk size, and a request
 * of one chunk draws exactly as before chunking.
 *
 * <p>The StyleGAN2 synthesis noise ({@link SynthesisNoise#RANDOM}) comes from a second stream split from
 * the seed's, drawn row after row ({@link NoiseBuffers#fillNormal}): the prior's draws, and so the
 * w of a seed, do not depend on the noise mode, and a row's noise does not depend on the chunk
 * size.
 */
final class SamplingCall {

    /** The largest Java array, in elements (a few header words below Integer.MAX_VALUE). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Clip2Latent model;
    private final SampleRequest request;
    private final BundleManifest manifest;
    private final int dim;
    private final int numWs;
    private final int embeddingDim;
    private final int size;
    private final long outputs;
    private final int outputsPerChunk;

    SamplingCall(Clip2Latent model, SampleRequest request) {
        this.model = model;
        this.request = request;
        this.manifest = model.bundle().manifest();
        this.dim = manifest.latentDim();
        this.numWs = manifest.numWs();
        this.embeddingDim = manifest.embeddingDim();
        this.size = manifest.imageSize();
        this.outputs = request.outputCount();
        this.outputsPerChunk = Math.max(1, request.chunkRows() / request.candidates());
        checkFitsBundle();
        // One chunk's rows must index Java arrays: candidates alone may exceed the chunk.
        long chunkRows = (long) outputsPerChunk * request.candidates();
        checkArgument(
                chunkRows * 3L * size * size <= MAX_ARRAY
                        && chunkRows * numWs * (long) dim <= MAX_ARRAY,
                "one chunk of %s rows (%s candidates per image) needs more than %s values per"
                        + " array at image size %s; lower candidates or chunkRows",
                chunkRows,
                request.candidates(),
                MAX_ARRAY,
                size);
    }

    /** Values per image in a {@link SampleResult}: pixels, w, ws and the score. */
    private long valuesPerOutput() {
        return 3L * size * size + dim + (long) numWs * dim + 1;
    }

    /**
     * The whole request into one result.
     *
     * @throws IllegalArgumentException before any stage runs if the results alone would not fit in
     *     a Java array or in the free heap
     */
    SampleResult run() {
        long perOutput = valuesPerOutput();
        long pixelValues = Math.multiplyExact(outputs, 3L * size * size);
        long wsValues = Math.multiplyExact(outputs, (long) numWs * dim);
        long bytes = Math.multiplyExact(Math.multiplyExact(outputs, perOutput), (long) Float.BYTES);
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        // The result record copies its arrays once, so twice the results must fit.
        if (pixelValues > MAX_ARRAY || wsValues > MAX_ARRAY || 2 * (double) bytes > free) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "the request's %,d images (%,d prompts x %,d samples) need %,d MB for"
                                    + " their results alone (pixels, w, ws and scores; twice that"
                                    + " while the result is built), more than fit (%,d MB of heap"
                                    + " free, at most %,d values per Java array); use"
                                    + " Clip2Latent.sampleEach(request, sink) to receive them"
                                    + " chunk by chunk, or ask for fewer",
                            outputs,
                            request.conditionCount(),
                            request.samples(),
                            bytes >> 20,
                            Math.max(0, free) >> 20,
                            MAX_ARRAY));
        }
        int n = (int) outputs;
        float[] pixels = new float[(int) pixelValues];
        float[] w = new float[n * dim];
        float[] ws = new float[(int) wsValues];
        float[] scores = new float[n];
        long[] nanos = new long[5];
        try {
            forEachChunk(
                    (first, chunk) -> {
                        int at = (int) first;
                        int count = chunk.count;
                        int px = 3 * size * size;
                        System.arraycopy(chunk.pixels, 0, pixels, at * px, count * px);
                        System.arraycopy(chunk.w, 0, w, at * dim, count * dim);
                        System.arraycopy(chunk.ws, 0, ws, at * numWs * dim, count * numWs * dim);
                        System.arraycopy(chunk.scores, 0, scores, at, count);
                        add(nanos, chunk.timings);
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not reached: the consumer above does no I/O
        }
        return new SampleResult(
                request,
                manifest.id(),
                n,
                size,
                size,
                numWs,
                dim,
                pixels,
                w,
                ws,
                scores,
                new StageTimings(nanos[0], nanos[1], nanos[2], nanos[3], nanos[4]),
                warnings());
    }

    /** The request chunk by chunk into {@code sink}. */
    void runEach(SampleSink sink) throws IOException {
        forEachChunk(
                (first, chunk) ->
                        sink.accept(
                                first,
                                new SampleResult(
                                        request,
                                        manifest.id(),
                                        chunk.count,
                                        size,
                                        size,
                                        numWs,
                                        dim,
                                        chunk.pixels,
                                        chunk.w,
                                        chunk.ws,
                                        chunk.scores,
                                        chunk.timings,
                                        first == 0 ? warnings() : List.of())));
    }

    /** The text encoder's warnings about the request's prompts and negative prompt. */
    private List<String> warnings() {
        List<String> out = new ArrayList<>();
        for (String prompt : new LinkedHashSet<>(request.prompts())) {
            out.addAll(model.textEncoder().warnings(prompt, request.promptTruncation()));
        }
        if (request.negativePrompt() != null) {
            out.addAll(
                    model.textEncoder()
                            .warnings(request.negativePrompt(), request.promptTruncation()));
        }
        return out;
    }

    private static void add(long[] nanos, StageTimings t) {
        nanos[0] += t.conditionNanos();
        nanos[1] += t.priorNanos();
        nanos[2] += t.synthesisNanos();
        nanos[3] += t.scoringNanos();
        nanos[4] += t.totalNanos();
    }

    /** One chunk's chosen images: {@code count} of them, arrays sized to the chunk. */
    private record Chunk(
            int count,
            float[] pixels,
            float[] w,
            float[] ws,
            float[] scores,
            StageTimings timings) {}

    private interface ChunkConsumer {
        void accept(long firstOutput, Chunk chunk) throws IOException;
    }

    private void forEachChunk(ChunkConsumer consumer) throws IOException {
        long start = System.nanoTime();
        float[] fixedCondition = null;
        if (request.prompts().isEmpty()) {
            fixedCondition =
                    request.image() != null
                            ? model.imageEncoder().encode(request.image())
                            : checkedEmbedding();
        }
        float[] negative =
                request.negativePrompt() == null
                        ? null
                        : model.textEncoder()
                                .priorConditions(
                                        model.textEncoder()
                                                .encode(
                                                        List.of(request.negativePrompt()),
                                                        request.promptTruncation()),
                                        1);
        float[] donor = request.styleMix() == null ? null : styleDonor(request.styleMix());
        SamplingPlan plan =
                request.steps() > 0
                        ? SamplingPlan.consistent(model.schedule(), request.steps())
                        : SamplingPlan.referenceSkip(model.schedule(), request.skip());
        GuidedSampling sampling =
                new GuidedSampling(plan, request.sampler().create(), request.guidance());
        NoiseSource noise = NoiseSource.gaussian(new SplittableRandom(request.seed()));
        int candidates = request.candidates();
        int samples = request.samples();
        Generator generator = model.generator();
        // Split from a fresh stream of the seed: independent of the prior's draws.
        SplittableRandom synthesisRandom = new SplittableRandom(request.seed()).split();
        NoiseBuffers synthesisNoise = synthesisNoise(generator, outputsPerChunk * candidates);
        boolean previewRanking = request.rerank() == RerankMode.PREVIEW && candidates > 1;
        // The winners' noise: their candidates' rows, copied (drawn noise) or the same zeros.
        NoiseBuffers winnerNoise =
                !previewRanking || synthesisNoise == null
                        ? null
                        : request.noise() == SynthesisNoise.RANDOM
                                ? NoiseBuffers.allocate(
                                        generator.noiseResolutions(), outputsPerChunk)
                                : synthesisNoise;
        long setup = System.nanoTime() - start;

        try (PriorNetwork.Runner runner = model.prior().newRunner()) {
            for (long first = 0; first < outputs; first += outputsPerChunk) {
                if (model.closing()) {
                    throw new IllegalStateException(
                            "this Clip2Latent handle is closed: the call stopped after "
                                    + first
                                    + " of "
                                    + outputs
                                    + " images");
                }
                long t0 = System.nanoTime();
                int count = (int) Math.min(outputsPerChunk, outputs - first);
                int rows = count * candidates;
                float[] rowConditions = new float[rows * embeddingDim];
                if (fixedCondition != null) {
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(
                                fixedCondition, 0, rowConditions, r * embeddingDim, embeddingDim);
                    }
                } else {
                    int c0 = (int) (first / samples);
                    int c1 = (int) ((first + count - 1) / samples);
                    float[] encoded =
                            model.textEncoder()
                                    .encode(
                                            request.prompts().subList(c0, c1 + 1),
                                            request.promptTruncation());
                    for (int r = 0; r < rows; r++) {
                        int c = (int) ((first + r / candidates) / samples) - c0;
                        System.arraycopy(
                                encoded,
                                c * embeddingDim,
                                rowConditions,
                                r * embeddingDim,
                                embeddingDim);
                    }
                }
                // CLIP scores rank on the raw text embeddings; the prior reads them calibrated.
                float[] priorConditions =
                        fixedCondition != null
                                ? rowConditions
                                : model.textEncoder().priorConditions(rowConditions, rows);
                float[] rowNegatives = negative == null ? null : repeat(negative, rows);
                long conditioned = System.nanoTime();

                // Reference section 4: x_T ~ N(0, I), guided x0 prediction, sampler steps, then
                // w = x std + mean, truncation.
                float[] w = sampling.sample(runner, priorConditions, rowNegatives, rows, noise);
                LatentStats stats = model.bundle().latentStats();
                stats.denormalizeInPlace(w, rows);
                Truncation.applyInPlace(w, rows, stats.mean(), request.truncation());
                long sampled = System.nanoTime();

                float[] ws = LayeredLatents.broadcast(w, rows, numWs, dim);
                if (donor != null) {
                    LayeredLatents.styleMixInPlace(
                            ws,
                            LayeredLatents.broadcast(repeat(donor, rows), rows, numWs, dim),
                            rows,
                            numWs,
                            dim,
                            request.styleMix().layers());
                }
                for (LatentEdit edit : request.edits()) {
                    LayerRange layers =
                            edit.layers() != null ? edit.layers() : LayerRange.all(numWs);
                    edit.direction().applyInPlace(ws, rows, numWs, edit.strength(), layers);
                }
                if (request.noise() == SynthesisNoise.RANDOM && synthesisNoise != null) {
                    synthesisNoise.fillNormal(synthesisRandom, rows);
                } else if (synthesisNoise != null) {
                    synthesisNoise.fillZeros(rows, synthesisNoise.constScale());
                }
                Ranked ranked =
                        previewRanking
                                ? rankOnPreviews(
                                        generator,
                                        ws,
                                        rowConditions,
                                        count,
                                        synthesisNoise,
                                        winnerNoise)
                                : rankOnFullImages(
                                        generator, ws, rowConditions, count, synthesisNoise);
                long scored = System.nanoTime();
                long conditionNanos = conditioned - t0 + (first == 0 ? setup : 0);
                consumer.accept(
                        first,
                        new Chunk(
                                count,
                                ranked.pixels(),
                                pickRows(w, ranked.best(), dim),
                                pickRows(ws, ranked.best(), numWs * dim),
                                ranked.scores(),
                                new StageTimings(
                                        conditionNanos,
                                        sampled - conditioned,
                                        ranked.synthesisNanos(),
                                        ranked.scoringNanos(),
                                        scored - t0 + (first == 0 ? setup : 0))));
            }
        }
    }

    /**
     * A chunk's chosen candidates: their row indices, full-size pixels and CLIP scores, and the
     * time spent rendering and scoring.
     */
    private record Ranked(
            int[] best, float[] pixels, float[] scores, long synthesisNanos, long scoringNanos) {}

    /** Best-of-n on full-size images (the reference's): render all rows, score, keep the best. */
    private Ranked rankOnFullImages(
            Generator generator, float[] ws, float[] rowConditions, int count, NoiseBuffers noise) {
        int rows = count * request.candidates();
        long t0 = System.nanoTime();
        float[] pixels = generator.synthesize(ws, rows, noise);
        long t1 = System.nanoTime();
        float[] scores = scores(pixels, rows, size, rowConditions);
        int[] best = bestCandidates(scores, count, request.candidates());
        float[] chosen = best.length == rows ? pixels : pickRows(pixels, best, 3 * size * size);
        return new Ranked(best, chosen, pickScores(scores, best), t1 - t0, System.nanoTime() - t1);
    }

    /**
     * Best-of-n on previews ({@link RerankMode#PREVIEW}): render all rows with the preview
     * synthesis, score them with CLIP through the same preprocessing as full images (resized to
     * CLIP's input), then render only the winners at full size with their own ws and noise rows,
     * and score those (the result's scores are the returned images').
     */
    private Ranked rankOnPreviews(
            Generator generator,
            float[] ws,
            float[] rowConditions,
            int count,
            NoiseBuffers noise,
            NoiseBuffers winnerNoise) {
        int rows = count * request.candidates();
        int p = generator.previewSize();
        long t0 = System.nanoTime();
        float[] previews = generator.synthesizePreview(ws, rows, noise);
        long t1 = System.nanoTime();
        int[] best =
                bestCandidates(
                        scores(previews, rows, p, rowConditions), count, request.candidates());
        long t2 = System.nanoTime();
        if (winnerNoise == noise && noise != null) {
            noise.fillZeros(count, noise.constScale()); // shared zeros: only the row count changes
        } else if (winnerNoise != null) {
            winnerNoise.copyRows(noise, best);
        }
        float[] pixels = generator.synthesize(pickRows(ws, best, numWs * dim), count, winnerNoise);
        long t3 = System.nanoTime();
        float[] winnerConditions = pickRows(rowConditions, best, embeddingDim);
        float[] scores = scores(pixels, count, size, winnerConditions);
        return new Ranked(
                best, pixels, scores, (t1 - t0) + (t3 - t2), (t2 - t1) + System.nanoTime() - t3);
    }

    /** Cosine similarity of each image's CLIP embedding to its row's condition. */
    private float[] scores(float[] pixels, int rows, int imageSize, float[] rowConditions) {
        float[] embeddings = model.imageEncoder().encode(pixels, rows, imageSize, imageSize);
        float[] scores = new float[rows];
        for (int r = 0; r < rows; r++) {
            scores[r] =
                    (float)
                            Similarity.cosine(
                                    embeddings,
                                    r * embeddingDim,
                                    rowConditions,
                                    r * embeddingDim,
                                    embeddingDim);
        }
        return scores;
    }

    /**
     * The call's noise buffers for chunks of up to {@code rows} rows, or null for a generator
     * without noise: drawn per chunk for {@code RANDOM}; shared zeros with the stored noise weighed
     * 1 ({@code CONST}) or 0 ({@code NONE}).
     */
    private NoiseBuffers synthesisNoise(Generator generator, int rows) {
        if (!generator.hasNoise()) {
            return null;
        }
        int[] resolutions = generator.noiseResolutions();
        return switch (request.noise()) {
            case RANDOM -> NoiseBuffers.allocate(resolutions, rows);
            case CONST -> NoiseBuffers.zeros(resolutions, rows, 1f);
            case NONE -> NoiseBuffers.zeros(resolutions, rows, 0f);
        };
    }

    /** Checks what depends on the bundle before any stage runs. */
    private void checkFitsBundle() {
        checkArgument(
                request.rerank() != RerankMode.PREVIEW || model.generator().hasPreview(),
                "re-ranking on a preview (RerankMode.PREVIEW) needs a bundle with a preview"
                    + " synthesis (stage '%s'), but bundle '%s' (%s) has none; import a StyleGAN2"
                    + " (skip architecture) generator with this version's importer, or use"
                    + " RerankMode.FULL",
                io.github.clip2latent.bundle.Stage.SYNTHESIS_PREVIEW.key(),
                manifest.id(),
                model.bundle().directory());
        if (request.embedding() != null) {
            checkedEmbedding();
        }
        if (request.styleMix() != null) {
            LayerRange layers = request.styleMix().layers();
            checkArgument(
                    layers.end() <= numWs,
                    "style-mix layers [%s, %s) exceed the generator's %s layers",
                    layers.start(),
                    layers.end(),
                    numWs);
        }
        for (LatentEdit edit : request.edits()) {
            LayerRange layers = edit.layers() != null ? edit.layers() : LayerRange.all(numWs);
            checkArgument(
                    layers.end() <= numWs,
                    "edit layers [%s, %s) exceed the generator's %s layers",
                    layers.start(),
                    layers.end(),
                    numWs);
            checkArgument(
                    edit.direction().dim() == dim,
                    "edit direction has dim %s, the bundle's latent dim is %s",
                    edit.direction().dim(),
                    dim);
        }
    }

    private float[] checkedEmbedding() {
        float[] embedding = request.embedding();
        checkArgument(
                embedding.length == embeddingDim,
                "embedding has %s values, the bundle's CLIP embedding width is %s",
                embedding.length,
                embeddingDim);
        return embedding;
    }

    /**
     * Reference section 6: the chosen layers take the w of a random z (one donor for every row).
     */
    private float[] styleDonor(StyleMix mix) {
        float[] z = StandardNormal.sample(new SplittableRandom(mix.seed()), manifest.zDim());
        return model.generator().map(z, 1);
    }

    /** {@code times} copies of one row. */
    private static float[] repeat(float[] row, int times) {
        float[] out = new float[times * row.length];
        for (int t = 0; t < times; t++) {
            System.arraycopy(row, 0, out, t * row.length, row.length);
        }
        return out;
    }

    /** Index of the highest-scoring candidate of each group; the first on ties. */
    static int[] bestCandidates(float[] scores, int groups, int candidates) {
        int[] best = new int[groups];
        for (int g = 0; g < groups; g++) {
            int chosen = g * candidates;
            for (int k = 1; k < candidates; k++) {
                if (scores[g * candidates + k] > scores[chosen]) {
                    chosen = g * candidates + k;
                }
            }
            best[g] = chosen;
        }
        return best;
    }

    private static float[] pickRows(float[] values, int[] rows, int width) {
        float[] out = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(values, rows[i] * width, out, i * width, width);
        }
        return out;
    }

    private static float[] pickScores(float[] scores, int[] rows) {
        float[] out = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = scores[rows[i]];
        }
        return out;
    }
}
