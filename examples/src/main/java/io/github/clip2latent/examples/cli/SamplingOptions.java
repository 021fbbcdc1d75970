package io.github.clip2latent.examples.cli;

import io.github.clip2latent.SampleRequest;
import io.github.clip2latent.diffusion.SamplerKind;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The sampling settings shared by {@code sample} and {@code train eval}: guidance, truncation,
 * respacing and sampler. Defaults are the library's ({@link SampleRequest}).
 */
final class SamplingOptions {

    @Option(
            names = "--guidance",
            paramLabel = "S",
            defaultValue = "" + SampleRequest.DEFAULT_GUIDANCE,
            description =
                    "classifier-free guidance scale, >= 0; 1 is the conditional prediction alone"
                            + " (default: ${DEFAULT-VALUE})")
    double guidance;

    @Option(
            names = "--truncate",
            paramLabel = "PSI",
            defaultValue = "1",
            description =
                    "truncation towards the mean latent, in [0, 1]; 1 is none (default:"
                            + " ${DEFAULT-VALUE})")
    double truncate;

    @ArgGroup(exclusive = true)
    Respacing respacing = new Respacing();

    @Option(
            names = "--sampler",
            paramLabel = "NAME",
            defaultValue = "DDPM",
            description =
                    "${COMPLETION-CANDIDATES}; DDPM is the reference's (default: ${DEFAULT-VALUE})")
    SamplerKind sampler;

    /** {@code --steps} or {@code --skip}, not both. */
    static final class Respacing {
        @Option(
                names = "--steps",
                paramLabel = "N",
                description =
                        "sampling steps with a consistent respacing (1 to the schedule length)")
        Integer steps;

        @Option(
                names = "--skip",
                paramLabel = "K",
                defaultValue = "" + SampleRequest.DEFAULT_SKIP,
                description =
                        "the reference's respacing range(0, T, K) with its noise quirk (default:"
                                + " ${DEFAULT-VALUE}, i.e. 4 steps of 1000)")
        int skip;
    }

    /**
     * Sets these options on a request builder, whose setters check the values.
     *
     * @param builder the builder
     * @return the same builder
     * @throws IllegalArgumentException naming a bad value
     */
    SampleRequest.Builder applyTo(SampleRequest.Builder builder) {
        builder.guidance(guidance).truncate(truncate).sampler(sampler);
        Respacing r = respacing == null ? new Respacing() : respacing;
        if (r.steps != null) {
            builder.steps(r.steps);
        } else {
            builder.skip(r.skip == 0 ? SampleRequest.DEFAULT_SKIP : r.skip);
        }
        return builder;
    }
}
