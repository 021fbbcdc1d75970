package io.github.clip2latent.spark;

import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.runtime.RuntimeOptions;
import io.github.clip2latent.train.dataset.DatasetGenerator;
import io.github.clip2latent.train.dataset.DatasetSpec;

import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The work of one Spark task: generate one shard through {@link DatasetGenerator#generateShard}
 * into the dataset folder, unless both its files already exist (a finished shard of an earlier
 * attempt or run). Each task opens its own ONNX Runtime sessions and closes them, so that
 * concurrent tasks of one executor share nothing mutable.
 */
final class ShardTask implements Function<Integer, ShardReport> {

    private static final long serialVersionUID = 1L;

    private final GenerateOptions options;
    private final HadoopConf conf;
    /** The archive name under SparkFiles, or null when the bundle path is shared. */
    private final String archive;

    private final StreamWrapper wrapper;

    ShardTask(GenerateOptions options, HadoopConf conf, String archive, StreamWrapper wrapper) {
        this.options = options;
        this.conf = conf;
        this.archive = archive;
        this.wrapper = wrapper;
    }

    @Override
    public ShardReport call(Integer shard) throws IOException {
        long start = System.nanoTime();
        int k = shard;
        DatasetSpec spec = options.spec();
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        try (HadoopDatasetFolder folder =
                HadoopDatasetFolder.open(options.out(), conf.get(), wrapper)) {
            if (folder.isComplete(k)) {
                return new ShardReport(k, spec.rowsInShard(k), false, attempt, seconds(start));
            }
            ModelBundle bundle = ModelBundle.open(bundleDirectory());
            try (DatasetGenerator generator =
                    DatasetGenerator.open(
                            bundle, RuntimeOptions.cpu().withIntraOpThreads(options.threads()))) {
                generator.generateShard(spec, k, folder);
            }
        }
        return new ShardReport(k, spec.rowsInShard(k), true, attempt, seconds(start));
    }

    private Path bundleDirectory() {
        // SparkContext.addArchive unpacks the archive into a folder named after it under the
        // SparkFiles root of every executor (and of the driver in local mode).
        return archive == null ? Path.of(options.bundle()) : Path.of(SparkFiles.get(archive));
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
