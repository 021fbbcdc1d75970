package io.github.clip2latent.image;

import io.github.clip2latent.files.AtomicFiles;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes PNG files with tEXt metadata (the request and seed that reproduce an image), atomically.
 */
public final class PngFiles {

    private PngFiles() {}

    /**
     * Writes {@code image} to {@code file} with one tEXt chunk per entry of {@code text}.
     *
     * @throws IOException naming the file
     */
    public static void write(Path file, BufferedImage image, Map<String, String> text)
            throws IOException {
        AtomicFiles.write(
                file,
                out -> {
                    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
                    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                        writer.setOutput(stream);
                        IIOMetadata metadata =
                                writer.getDefaultImageMetadata(
                                        ImageTypeSpecifier.createFromRenderedImage(image),
                                        writer.getDefaultWriteParam());
                        IIOMetadataNode textNode = new IIOMetadataNode("tEXt");
                        for (Map.Entry<String, String> e : text.entrySet()) {
                            IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                            entry.setAttribute("keyword", e.getKey());
                            entry.setAttribute("value", e.getValue());
                            textNode.appendChild(entry);
                        }
                        IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
                        root.appendChild(textNode);
                        try {
                            metadata.mergeTree("javax_imageio_png_1.0", root);
                        } catch (IIOInvalidTreeException e) {
                            throw new IOException(
                                    "cannot add PNG text metadata: " + e.getMessage(), e);
                        }
                        writer.write(
                                null,
                                new IIOImage(image, null, metadata),
                                writer.getDefaultWriteParam());
                    } finally {
                        writer.dispose();
                    }
                });
    }
}
