package io.github.clip2latent;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.clip2latent.bundle.BundleManifest;
import io.github.clip2latent.conditioning.Similarity;
import io.github.clip2latent.diffusion.ClassifierFreeGuidance;
import io.github.clip2latent.diffusion.DdimSampler;
import io.github.clip2latent.diffusion.DdpmSampler;
import io.github.clip2latent.diffusion.Sampler;
import io.github.clip2latent.diffusion.StandardNormal;
import io.github.clip2latent.latent.LatentStats;
import io.github.clip2latent.latent.LayerRange;
import io.github.clip2latent.latent.LayeredLatents;
import io.github.clip2latent.latent.Truncation;
import io.github.clip2latent.runtime.PriorNetwork;
import io.github.clip2latent.schedule.SamplingPlan;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One {@code sample()} call: condition, prior sampling with guidance, latent operations, synthesis
 * and CLIP re-ranking. Rows are laid out condition-major: row {@code (c * samples + s) * candidates
 * + k}. All randomness comes from one {@link SplittableRandom} seeded by the request, drawn in a
 * fixed order (initial noise, then the sampler's noise), so a seed reproduces the same bits.
 */
final class SamplingCall {

    private final Clip2Latent model;
    private final SampleRequest request;
    private final BundleManifest manifest;
    private final int dim;
    private final int numWs;

    SamplingCall(Clip2Latent model, SampleRequest request) {
        this.model = model;
        this.request = request;
        this.manifest = model.bundle().manifest();
        this.dim = manifest.latentDim();
        this.numWs = manifest.numWs();
    }

    SampleResult run() {
        long start = System.nanoTime();
        int outputs = request.conditionCount() * request.samples();
        int rows = outputs * request.candidates();

        float[] conditions = conditionEmbeddings();
        int embeddingDim = manifest.embeddingDim();
        float[] rowConditions =
                repeatRows(
                        conditions,
                        request.conditionCount(),
                        embeddingDim,
                        request.samples() * request.candidates());
        float[] rowNegatives = null;
        if (request.negativePrompt() != null) {
            float[] negative = model.textEncoder().encode(List.of(request.negativePrompt()));
            rowNegatives = repeatRows(negative, 1, embeddingDim, rows);
        }
        long conditioned = System.nanoTime();

        float[] w = samplePrior(rowConditions, rowNegatives, rows);
        long sampled = System.nanoTime();

        float[] ws = LayeredLatents.broadcast(w, rows, numWs, dim);
        if (request.styleMix() != null) {
            mixStyles(ws, rows, request.styleMix());
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
            edit.direction().applyInPlace(ws, rows, numWs, edit.strength(), layers);
        }
        float[] pixels = model.generator().synthesize(ws, rows);
        long synthesized = System.nanoTime();

        int size = manifest.imageSize();
        float[] embeddings = model.imageEncoder().encode(pixels, rows, size, size);
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
        int[] best = bestCandidates(scores, outputs, request.candidates());
        long scored = System.nanoTime();

        return new SampleResult(
                request,
                manifest.id(),
                outputs,
                size,
                size,
                numWs,
                dim,
                pickRows(pixels, best, 3 * size * size),
                pickRows(w, best, dim),
                pickRows(ws, best, numWs * dim),
                pickScores(scores, best),
                new StageTimings(
                        conditioned - start,
                        sampled - conditioned,
                        synthesized - sampled,
                        scored - synthesized,
                        scored - start));
    }

    private float[] conditionEmbeddings() {
        if (!request.prompts().isEmpty()) {
            return model.textEncoder().encode(request.prompts());
        }
        if (request.image() != null) {
            return model.imageEncoder().encode(request.image());
        }
        float[] embedding = request.embedding();
        checkArgument(
                embedding.length == manifest.embeddingDim(),
                "embedding has %s values, the bundle's CLIP embedding width is %s",
                embedding.length,
                manifest.embeddingDim());
        return embedding;
    }

    /**
     * Reference section 4: x_T ~ N(0, I), guided x0 prediction, sampler steps, then w = x std +
     * mean, truncation.
     */
    private float[] samplePrior(float[] conditions, float[] negatives, int rows) {
        SamplingPlan plan =
                request.steps() > 0
                        ? SamplingPlan.consistent(model.schedule(), request.steps())
                        : SamplingPlan.referenceSkip(model.schedule(), request.skip());
        Sampler sampler =
                request.sampler() == SamplerKind.DDIM
                        ? DdimSampler.deterministic()
                        : DdpmSampler.INSTANCE;
        SplittableRandom random = new SplittableRandom(request.seed());
        float[] x = StandardNormal.sample(random, rows * dim);
        try (PriorNetwork.Runner runner = model.prior().newRunner()) {
            ClassifierFreeGuidance guidance =
                    ClassifierFreeGuidance.withNegative(
                            runner, request.guidance(), conditions, negatives, rows);
            sampler.sample(plan, guidance, x, rows, dim, random);
        }
        LatentStats stats = model.bundle().latentStats();
        stats.denormalizeInPlace(x, rows);
        Truncation.applyInPlace(x, rows, stats.mean(), request.truncation());
        return x;
    }

    /**
     * Reference section 6: the chosen layers take the w of a random z (one donor for every row).
     */
    private void mixStyles(float[] ws, int rows, StyleMix mix) {
        checkArgument(
                mix.layers().end() <= numWs,
                "style-mix layers [%s, %s) exceed the generator's %s layers",
                mix.layers().start(),
                mix.layers().end(),
                numWs);
        float[] z = StandardNormal.sample(new SplittableRandom(mix.seed()), manifest.zDim());
        float[] donorW = model.generator().map(z, 1);
        float[] donor =
                LayeredLatents.broadcast(repeatRows(donorW, 1, dim, rows), rows, numWs, dim);
        LayeredLatents.styleMixInPlace(ws, donor, rows, numWs, dim, mix.layers());
    }

    private static float[] repeatRows(float[] values, int count, int width, int times) {
        float[] out = new float[count * times * width];
        for (int c = 0; c < count; c++) {
            for (int t = 0; t < times; t++) {
                System.arraycopy(values, c * width, out, (c * times + t) * width, width);
            }
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
