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
 */
public record RuntimeOptions(
        ExecutionProvider provider,
        int intraOpThreads,
        OptLevel optimizationLevel,
        boolean memoryPattern,
        int cudaDevice,
        boolean verifyChecksums) {

    /** Validates. */
    public RuntimeOptions {
        checkNotNull(provider, "provider");
        checkNotNull(optimizationLevel, "optimizationLevel");
        checkArgument(intraOpThreads >= 0, "intraOpThreads must be >= 0, got %s", intraOpThreads);
        checkArgument(cudaDevice >= 0, "cudaDevice must be >= 0, got %s", cudaDevice);
    }

    /** Options that verify checksums. */
    public RuntimeOptions(
            ExecutionProvider provider,
            int intraOpThreads,
            OptLevel optimizationLevel,
            boolean memoryPattern,
            int cudaDevice) {
        this(provider, intraOpThreads, optimizationLevel, memoryPattern, cudaDevice, true);
    }

    /**
     * AUTO provider, ONNX Runtime's thread default, all optimizations, memory pattern on, checksums
     * verified.
     */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(ExecutionProvider.AUTO, 0, OptLevel.ALL_OPT, true, 0, true);
    }

    /** A copy that verifies bundle checksums at load, or skips them. */
    public RuntimeOptions withChecksumVerification(boolean enabled) {
        return new RuntimeOptions(
                provider, intraOpThreads, optimizationLevel, memoryPattern, cudaDevice, enabled);
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
                verifyChecksums);
    }

    /** A copy with another intra-op thread count. */
    public RuntimeOptions withIntraOpThreads(int threads) {
        return new RuntimeOptions(
                provider, threads, optimizationLevel, memoryPattern, cudaDevice, verifyChecksums);
    }

    /** A copy with another optimization level. */
    public RuntimeOptions withOptimizationLevel(OptLevel level) {
        return new RuntimeOptions(
                provider, intraOpThreads, level, memoryPattern, cudaDevice, verifyChecksums);
    }

    /** A copy with memory pattern optimization on or off. */
    public RuntimeOptions withMemoryPattern(boolean enabled) {
        return new RuntimeOptions(
                provider, intraOpThreads, optimizationLevel, enabled, cudaDevice, verifyChecksums);
    }

    /** The provider after applying the system property override, if set. */
    public ExecutionProvider effectiveProvider() {
        String override = System.getProperty(ExecutionProvider.PROPERTY);
        return override == null || override.isBlank()
                ? provider
                : ExecutionProvider.parse(override);
    }
}
