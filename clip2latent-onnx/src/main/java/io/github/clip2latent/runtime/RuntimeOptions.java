package io.github.clip2latent.runtime;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

/**
 * How ONNX Runtime sessions are created. Immutable; start from {@link #defaults()} and change with
 * the {@code with*} methods.
 *
 * @param provider the execution provider; the system property {@value ExecutionProvider#PROPERTY}
 *     overrides it
 * @param intraOpThreads threads inside one operator, 0 for ONNX Runtime's default (one per core)
 * @param optimizationLevel graph optimization level
 * @param memoryPattern whether ONNX Runtime pre-plans memory for repeated input shapes
 * @param cudaDevice the CUDA device id
 * @param verifyChecksums whether loading checks every bundle file against the SHA-256 in its
 *     manifest (default true; costs one read of the bundle, see docs/reliability.md)
 * @param cpuMemoryArena whether ONNX Runtime keeps freed CPU tensor memory in its arena for the
 *     next run (faster reuse, but resident memory stays at the largest run's peak); default off, so
 *     memory returns to the system after each run (figures in docs/benchmarks.md, "Memory")
 */
public record RuntimeOptions(
        ExecutionProvider provider,
        int intraOpThreads,
        OptLevel optimizationLevel,
        boolean memoryPattern,
        int cudaDevice,
        boolean verifyChecksums,
        boolean cpuMemoryArena) {

    /** Validates. */
    public RuntimeOptions {
        checkNotNull(provider, "provider");
        checkNotNull(optimizationLevel, "optimizationLevel");
        checkArgument(intraOpThreads >= 0, "intraOpThreads must be >= 0, got %s", intraOpThreads);
        checkArgument(cudaDevice >= 0, "cudaDevice must be >= 0, got %s", cudaDevice);
    }


    /**
     * AUTO provider, ONNX Runtime's thread default, all optimizations, memory pattern on, checksums
     * verified, CPU memory arena off.
     */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(ExecutionProvider.AUTO, 0, OptLevel.ALL_OPT, true, 0, true, false);
    }

    /** A copy that verifies bundle checksums at load, or skips them. */
    public RuntimeOptions withChecksumVerification(boolean enabled) {
        return new RuntimeOptions(
                provider,
                intraOpThreads,
                optimizationLevel,
                memoryPattern,
                cudaDevice,
                enabled,
                cpuMemoryArena);
    }

    /** CPU only, as tests and CI machines use. */
    public static RuntimeOptions cpu() {
        return defaults().withProvider(ExecutionProvider.CPU);
    }

    /** A copy with another provider. */
    public RuntimeOptions withProvider(ExecutionProvider newProvider) {
        return new RuntimeOptions(
                newProvider,
                intraOpThreads,
                optimizationLevel,
                memoryPattern,
                cudaDevice,
                verifyChecksums,
                cpuMemoryArena);
    }

    /** A copy with another intra-op thread count. */
    public RuntimeOptions withIntraOpThreads(int threads) {
        return new RuntimeOptions(
                provider,
                threads,
                optimizationLevel,
                memoryPattern,
                cudaDevice,
                verifyChecksums,
                cpuMemoryArena);
    }

    /** A copy with another optimization level. */
    public RuntimeOptions withOptimizationLevel(OptLevel level) {
        return new RuntimeOptions(
                provider,
                intraOpThreads,
                level,
                memoryPattern,
                cudaDevice,
                verifyChecksums,
                cpuMemoryArena);
    }

    /** A copy with memory pattern optimization on or off. */
    public RuntimeOptions withMemoryPattern(boolean enabled) {
        return new RuntimeOptions(
                provider,
                intraOpThreads,
                optimizationLevel,
                enabled,
                cudaDevice,
                verifyChecksums,
                cpuMemoryArena);
    }

    /** A copy on another CUDA device. */
    public RuntimeOptions withCudaDevice(int device) {
        return new RuntimeOptions(
                provider,
                intraOpThreads,
                optimizationLevel,
                memoryPattern,
                device,
                verifyChecksums,
                cpuMemoryArena);
    }

    /**
     * A copy with ONNX Runtime's CPU memory arena on or off. On keeps each session's peak working
     * memory resident between runs (StyleGAN2 at 1024: about 1.5 GB more); off returns it to the
     * system after every run.
     */
    public RuntimeOptions withCpuMemoryArena(boolean enabled) {
        return new RuntimeOptions(
                provider,
                intraOpThreads,
                optimizationLevel,
                memoryPattern,
                cudaDevice,
                verifyChecksums,
                enabled);
    }

    /** The provider after applying the system property override, if set. */
    public ExecutionProvider effectiveProvider() {
        String override = System.getProperty(ExecutionProvider.PROPERTY);
        return override == null || override.isBlank()
                ? provider
                : ExecutionProvider.parse(override);
    }
}
