package io.github.clip2latent;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.latent.EditDirection;
import io.github.clip2latent.runtime.CallTracker;
import io.github.clip2latent.runtime.ExecutionProvider;
import io.github.clip2latent.runtime.Generator;
import io.github.clip2latent.runtime.ImageEncoder;
import io.github.clip2latent.runtime.PriorNetwork;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.runtime.SessionFactory;
import io.github.clip2latent.runtime.TextEncoder;
import io.github.clip2latent.schedule.NoiseSchedule;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A loaded clip2latent model: CLIP text and image encoders, the diffusion prior and a StyleGAN
 * generator, each an ONNX Runtime stage. Thread-safe: any number of threads may call {@code sample}
 * at once; each call has its own buffers and random stream.
 *
 * <pre>{@code
 * try (Clip2Latent model = Clip2Latent.load(Path.of("bundle"))) {
 *     model.prompt("an old man").guidance(2).truncate(0.8).seed(1).sample().save(Path.of("man.png"));
 * }
 * }</pre>
 */
public final class Clip2Latent implements AutoCloseable {

    private final ModelBundle bundle;
    private final SessionFactory sessions;
    private final TextEncoder textEncoder;
    private final ImageEncoder imageEncoder;
    private final PriorNetwork prior;
    private final Generator generator;
    private final NoiseSchedule schedule;
    private final CallTracker calls = new CallTracker("this Clip2Latent handle");

    private Clip2Latent(
            ModelBundle bundle,
            SessionFactory sessions,
            TextEncoder textEncoder,
            ImageEncoder imageEncoder,
            PriorNetwork prior,
            Generator generator) {
        this.bundle = bundle;
        this.sessions = sessions;
        this.textEncoder = textEncoder;
        this.imageEncoder = imageEncoder;
        this.prior = prior;
        this.generator = generator;
        this.schedule =
                NoiseSchedule.of(bundle.manifest().betaSchedule(), bundle.manifest().timesteps());
    }

    /**
     * Loads the bundle in {@code directory} with the default runtime options (CUDA if present, else
     * CPU).
     */
    public static Clip2Latent load(Path directory) throws BundleException {
        return load(directory, RuntimeOptions.defaults());
    }

    /**
     * Loads and validates a bundle: every file, and every graph's inputs and outputs against the
     * manifest. On failure nothing stays open.
     *
     * @throws BundleException naming the file, the stage, what was expected and what was found
     */
    public static Clip2Latent load(Path directory, RuntimeOptions options) throws BundleException {
        ModelBundle bundle = ModelBundle.open(directory, options.verifyChecksums());
        SessionFactory sessions = new SessionFactory(options);
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            TextEncoder text = push(opened, TextEncoder.open(bundle, sessions));
            ImageEncoder image = push(opened, ImageEncoder.open(bundle, sessions));
            PriorNetwork prior = push(opened, PriorNetwork.open(bundle, sessions));
            Generator generator = push(opened, Generator.open(bundle, sessions));
            return new Clip2Latent(bundle, sessions, text, image, prior, generator);
        } catch (Throwable e) {
            // Also on an Error: an OutOfMemoryError while opening leaked every session before.
            while (!opened.isEmpty()) {
                try {
                    opened.pop().close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static <T extends AutoCloseable> T push(Deque<AutoCloseable> opened, T stage) {
        opened.push(stage);
        return stage;
    }

    /** A request for {@code prompt}, bound to this model: finish with {@code sample()}. */
    public SampleRequest.Builder prompt(String prompt) {
        return request().prompt(prompt);
    }

    /** A request for several prompts, bound to this model. */
    public SampleRequest.Builder prompts(List<String> prompts) {
        return request().prompts(prompts);
    }

    /** An image-variation request (condition: the image's CLIP embedding), bound to this model. */
    public SampleRequest.Builder image(BufferedImage image) {
        return request().image(image);
    }

    /** A request conditioned on a raw CLIP embedding, bound to this model. */
    public SampleRequest.Builder embedding(float[] embedding) {
        return request().embedding(embedding);
    }

    /** An empty request bound to this model. */
    public SampleRequest.Builder request() {
        return new SampleRequest.Builder(this);
    }

    /**
     * Draws the images of a request.
     *
     * @throws IllegalArgumentException if the request does not fit this bundle (embedding width,
     *     layer ranges, a prompt longer than the tokenizer's context), or if its results alone
     *     would not fit in memory (the message says so, before any stage runs; use {@link
     *     #sampleEach} for such requests)
     */
    public SampleResult sample(SampleRequest request) {
        calls.enter();
        try {
            return new SamplingCall(this, request).run();
        } finally {
            calls.exit();
        }
    }

    /**
     * Draws the images of a request chunk by chunk (see {@link SampleRequest#chunkRows()}) and
     * hands each chunk to {@code sink} as soon as it is ready, so that only one chunk's images are
     * in memory: the way to draw more images than fit at once. The chunks together hold exactly the
     * images {@link #sample(SampleRequest)} would return, in the same order.
     *
     * @throws IOException what {@code sink} threw; sampling stops there
     * @throws IllegalArgumentException if the request does not fit this bundle
     */
    public void sampleEach(SampleRequest request, SampleSink sink) throws IOException {
        checkArgument(sink != null, "sink must not be null");
        calls.enter();
        try {
            new SamplingCall(this, request).runEach(sink);
        } finally {
            calls.exit();
        }
    }

    /**
     * An edit direction from text (paper Appendix F): the mean w of {@code n} samples for {@code
     * positivePrompt} minus that of {@code n} samples for {@code negativePrompt}, drawn with the
     * default settings and {@code seed}.
     */
    public EditDirection direction(String positivePrompt, String negativePrompt, int n, long seed) {
        checkArgument(n >= 1, "n must be >= 1, got %s", n);
        SampleResult positive = prompt(positivePrompt).samples(n).seed(seed).sample();
        SampleResult negative = prompt(negativePrompt).samples(n).seed(seed).sample();
        return EditDirection.differenceOfMeans(
                positive.w(), n, negative.w(), n, bundle.manifest().latentDim());
    }

    /** {@link #direction(String, String, int, long)} with seed 0. */
    public EditDirection direction(String positivePrompt, String negativePrompt, int n) {
        return direction(positivePrompt, negativePrompt, n, 0L);
    }

    /** The bundle this model was loaded from. */
    public ModelBundle bundle() {
        return bundle;
    }

    /** The execution provider the sessions run on. */
    public ExecutionProvider executionProvider() {
        return sessions.activeProvider();
    }

    /** Whether {@link #close()} was called: a running chunked call stops at its next chunk. */
    boolean closing() {
        return calls.isClosing();
    }

    TextEncoder textEncoder() {
        return textEncoder;
    }

    ImageEncoder imageEncoder() {
        return imageEncoder;
    }

    PriorNetwork prior() {
        return prior;
    }

    Generator generator() {
        return generator;
    }

    NoiseSchedule schedule() {
        return schedule;
    }

    /**
     * Closes every stage in reverse order of loading; a second call does nothing. Calls started
     * before are waited for (a long, chunked call stops at its next chunk with an {@link
     * IllegalStateException}); calls started after get an {@link IllegalStateException}.
     */
    @Override
    public void close() {
        if (!calls.close()) {
            return;
        }
        try {
            generator.close();
        } finally {
            try {
                prior.close();
            } finally {
                try {
                    imageEncoder.close();
                } finally {
                    textEncoder.close();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Clip2Latent[" + bundle.manifest().id() + ", " + sessions.activeProvider() + "]";
    }
}
