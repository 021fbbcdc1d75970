package io.github.clip2latent.convert.prior;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link PriorCheckpointImporter} produced: the graph file and everything a bundle needs
 * besides it (the network's size, the latent statistics, the schedule, which copy, where it came
 * from). Arrays are copied in and out.
 *
 * @param graphFile the ONNX file written
 * @param config the network size inferred from the tensor shapes
 * @param latentMean the per-dimension mean of w used to z-score latents ({@code latent_mean})
 * @param latentStd the per-dimension standard deviation ({@code latent_std})
 * @param scheduleName the beta schedule the stored buffers matched, e.g. {@code cosine}
 * @param timesteps the schedule's number of steps
 * @param copy which weights were imported
 * @param sourceSha256 lowercase hex SHA-256 of the checkpoint file
 */
public record PriorImport(
        Path graphFile,
        PriorConfig config,
        float[] latentMean,
        float[] latentStd,
        String scheduleName,
        int timesteps,
        PriorCheckpointImporter.Copy copy,
        String sourceSha256) {

    /** Copies the arrays and checks that the statistics fit the network width. */
    public PriorImport {
        Objects.requireNonNull(graphFile, "graphFile");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(scheduleName, "scheduleName");
        Objects.requireNonNull(copy, "copy");
        Objects.requireNonNull(sourceSha256, "sourceSha256");
        latentMean = latentMean.clone();
        latentStd = latentStd.clone();
        if (latentMean.length != config.dim() || latentStd.length != config.dim()) {
            throw new IllegalArgumentException(
                    "latent statistics of width "
                            + latentMean.length
                            + "/"
                            + latentStd.length
                            + " do not fit dim "
                            + config.dim());
        }
    }

    @Override
    public float[] latentMean() {
        return latentMean.clone();
    }

    @Override
    public float[] latentStd() {
        return latentStd.clone();
    }
}
