package io.github.clip2latent;

import java.io.IOException;

/**
 * Receives the images of a large request chunk by chunk (see {@link
 * Clip2Latent#sampleEach(SampleRequest, SampleSink)}), so that only one chunk's results are in
 * memory at a time.
 */
@FunctionalInterface
public interface SampleSink {

    /**
     * One chunk of results, in request order.
     *
     * @param firstIndex the request-wide index of the chunk's first image ({@code condition *
     *     samples + sample}); image {@code i} of {@code chunk} is image {@code firstIndex + i}
     * @param chunk the chunk's images, latents and scores; its {@code request} is the whole request
     * @throws IOException to stop sampling (e.g. a failed write); it reaches the caller unchanged
     */
    void accept(long firstIndex, SampleResult chunk) throws IOException;
}
