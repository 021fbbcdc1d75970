package io.github.clip2latent.spark;

import io.github.clip2latent.files.AtomicFiles;
import io.github.clip2latent.train.dataset.DatasetManifest;
import io.github.clip2latent.train.dataset.ShardOutput;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A dataset folder on any Hadoop file system ({@code file:}, {@code hdfs:}, {@code s3a:}, ...),
 * written the way {@link AtomicFiles} writes a local one: each file goes to a temporary name in the
 * same folder ({@code .NAME.UUID.tmp}, unique per attempt so that retried or speculative attempts
 * never share one) and is renamed to its final name only when complete. On HDFS the rename is
 * atomic; on S3A it is a server-side copy, so the final name still appears only with the whole
 * content.
 */
final class HadoopDatasetFolder implements ShardOutput, AutoCloseable {

    /** Temporary files this class writes: a dot, the final name, a UUID, ".tmp". */
    private static final Pattern TEMPORARY =
            Pattern.compile("\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp");

    private final FileSystem fs;
    private final Path dir;
    private final StreamWrapper wrapper;

    private HadoopDatasetFolder(FileSystem fs, Path dir, StreamWrapper wrapper) {
        this.fs = fs;
        this.dir = dir;
        this.wrapper = wrapper;
    }

    /**
     * The folder at {@code uri} (created if absent); a URI without a scheme is on the default file
     * system ({@code fs.defaultFS}).
     *
     * @throws IOException naming the URI
     */
    static HadoopDatasetFolder open(String uri, Configuration conf, StreamWrapper wrapper)
            throws IOException {
        Path dir = new Path(uri);
        FileSystem fs = null;
        try {
            // An instance of our own, not the JVM-wide cached one that Spark also uses, since
            // checksums are switched off on it.
            fs = FileSystem.newInstance(dir.toUri(), conf);
            // The local file system would write a .crc file beside each shard; the .npy files are
            // the dataset, exactly as 'train generate' leaves them.
            fs.setWriteChecksum(false);
            Path qualified = fs.makeQualified(dir);
            fs.mkdirs(qualified);
            return new HadoopDatasetFolder(fs, qualified, wrapper);
        } catch (IOException | RuntimeException e) {
            if (fs != null) {
                fs.close();
            }
            throw new IOException("cannot open dataset folder " + uri + ": " + e.getMessage(), e);
        }
    }

    /** Closes this folder's file system instance. */
    @Override
    public void close() throws IOException {
        fs.close();
    }

    /** The qualified folder URI. */
    URI uri() {
        return dir.toUri();
    }

    /** Whether file {@code name} exists in the folder. */
    boolean exists(String name) throws IOException {
        return fs.isFile(new Path(dir, name));
    }

    /** Whether both files of shard {@code k} exist, as {@code DatasetGenerator.isComplete}. */
    boolean isComplete(int k) throws IOException {
        return exists(DatasetManifest.latentFile(k)) && exists(DatasetManifest.embeddingFile(k));
    }

    @Override
    public void write(String name, AtomicFiles.ContentWriter content) throws IOException {
        Path target = new Path(dir, name);
        Path temp = new Path(dir, "." + name + "." + UUID.randomUUID() + ".tmp");
        boolean renamed = false;
        try {
            try (FSDataOutputStream raw = fs.create(temp, true);
                    OutputStream out =
                            new BufferedOutputStream(wrapper.wrap(name, raw), 1 << 16)) {
                content.writeTo(out);
                out.flush();
                // HDFS: durable on the data nodes before the rename, as AtomicFiles forces the
                // local file. Object stores have no hsync; their upload completes on close.
                if (raw.hasCapability(StreamCapabilities.HSYNC)) {
                    raw.hsync();
                }
            }
            if (!fs.rename(temp, target)) {
                // HDFS refuses to rename over an existing file; replace it as a local rename does.
                // A shard's files are deterministic, so the old file held the same bytes.
                if (fs.exists(target) && fs.delete(target, false) && fs.rename(temp, target)) {
                    renamed = true;
                    return;
                }
                throw new IOException("rename of " + temp + " to " + target + " failed");
            }
            renamed = true;
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (!renamed) {
                try {
                    fs.delete(temp, false);
                } catch (IOException ignored) {
                    // The write's own exception says what went wrong; a leftover temporary file is
                    // removed by the next successful run (removeTemporaries).
                }
            }
        }
    }

    /** Copies a local file into the folder atomically, under {@code name}. */
    void upload(java.nio.file.Path local, String name) throws IOException {
        write(name, out -> Files.copy(local, out));
    }

    /** Copies file {@code name} of the folder to the local file {@code local}. */
    void download(String name, java.nio.file.Path local) throws IOException {
        Path source = new Path(dir, name);
        try (InputStream in = fs.open(source)) {
            Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IOException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes temporary files left by attempts that died without cleaning up (a killed executor).
     * Call only when no task of this dataset runs.
     *
     * @return how many were deleted
     */
    int removeTemporaries() throws IOException {
        int removed = 0;
        for (FileStatus status : fs.listStatus(dir)) {
            if (status.isFile()
                    && TEMPORARY.matcher(status.getPath().getName()).matches()
                    && fs.delete(status.getPath(), false)) {
                removed++;
            }
        }
        return removed;
    }
}
