package io.github.clip2latent.examples.cli;

import io.github.clip2latent.runtime.ExecutionProvider;
import io.github.clip2latent.runtime.RuntimeOptions;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --provider}, {@code --threads} and {@code --cuda-device}: how ONNX Runtime runs. */
final class RuntimeOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--provider",
            paramLabel = "NAME",
            defaultValue = "AUTO",
            description =
                    "execution provider: ${COMPLETION-CANDIDATES}; AUTO tries CUDA and falls back"
                            + " to the CPU (default: ${DEFAULT-VALUE})")
    ExecutionProvider provider;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "ONNX Runtime intra-op threads; 0 is its own choice (default:"
                        + " ${DEFAULT-VALUE})")
    int threads;

    @Option(
            names = "--cuda-device",
            paramLabel = "ID",
            defaultValue = "0",
            description = "the CUDA device with CUDA (default: ${DEFAULT-VALUE})")
    int cudaDevice;

    /**
     * The runtime options, checked.
     *
     * @return the options of every session
     */
    RuntimeOptions options() {
        return Checks.usage(
                command,
                () ->
                        RuntimeOptions.defaults()
                                .withProvider(provider)
                                .withIntraOpThreads(threads)
                                .withCudaDevice(cudaDevice));
    }
}
