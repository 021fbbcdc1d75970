package io.github.clip2latent.spark;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Packs a bundle folder into one zip file for {@code SparkContext.addArchive}, which copies it to
 * every executor and unpacks it there: one file works for every cluster manager, where a folder
 * added with {@code addFile} works only on local and Hadoop file systems.
 */
final class BundleArchive {

    private BundleArchive() {}

    /**
     * Writes every regular file under {@code bundleDir} into {@code zip}, with paths relative to
     * the folder, so the unpacked archive is the bundle folder itself.
     *
     * @throws IOException naming the folder or the file that could not be read
     */
    static void pack(Path bundleDir, Path zip) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(bundleDir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("bundle folder " + bundleDir + " has no files to ship");
        }
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(zip), 1 << 16);
                ZipOutputStream out = new ZipOutputStream(raw)) {
            // ONNX weights barely compress; the fastest level keeps packing a 1 GB bundle short.
            out.setLevel(Deflater.BEST_SPEED);
            for (Path file : files) {
                String name = bundleDir.relativize(file).toString().replace('\\', '/');
                out.putNextEntry(new ZipEntry(name));
                try {
                    Files.copy(file, out);
                } catch (IOException e) {
                    throw new IOException("cannot pack " + file + ": " + e.getMessage(), e);
                }
                out.closeEntry();
            }
        }
    }
}
