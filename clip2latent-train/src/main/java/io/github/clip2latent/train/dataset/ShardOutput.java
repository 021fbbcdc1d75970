package io.github.clip2latent.train.dataset;

import io.github.clip2latent.files.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the files of a generated shard go. Every write is atomic: readers see either no file under
 * the name or the complete one, never a partial file. The local folder is the default; a cluster
 * engine can write the same bytes to a distributed file system instead.
 */
@FunctionalInterface
public interface ShardOutput {

    /**
     * Writes the file {@code name} (a bare file name, such as {@link
     * DatasetManifest#latentFile(int)}) atomically, replacing any file of that name.
     *
     * @param name the file name inside the dataset folder
     * @param content writes the whole content to the stream it is given
     * @throws IOException naming the file; nothing is left under {@code name} by a failed write
     */
    void write(String name, AtomicFiles.ContentWriter content) throws IOException;

    /** Files in the local folder {@code dir}, written with {@link AtomicFiles#write}. */
    static ShardOutput directory(Path dir) {
        return (name, content) -> AtomicFiles.write(dir.resolve(name), content);
    }
}
