package io.github.clip2latent.convert.clip;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link ClipImporter} wrote: the two graph files and what a bundle manifest needs from them.
 *
 * @param imageEncoder the image encoder graph (input {@code pixel_values} [batch, 3, R, R], output
 *     {@code image_embeds} [batch, embed])
 * @param textEncoder the text encoder graph (input {@code input_ids} int64 [batch, context], output
 *     {@code text_embeds} [batch, embed])
 * @param embedDim the embedding width
 * @param imageResolution R, the image side the image encoder takes
 * @param contextLength tokens per prompt
 * @param vocabSize rows of the token table (ids must be below it)
 * @param sourceSha256 lower-case hex SHA-256 of the source file
 * @param format the source file's format
 * @param config the full architecture
 */
public record ClipImport(
        Path imageEncoder,
        Path textEncoder,
        int embedDim,
        int imageResolution,
        int contextLength,
        int vocabSize,
        String sourceSha256,
        ClipSourceFormat format,
        ClipConfig config) {

    /** Checks that nothing is null. */
    public ClipImport {
        Objects.requireNonNull(imageEncoder, "imageEncoder");
        Objects.requireNonNull(textEncoder, "textEncoder");
        Objects.requireNonNull(sourceSha256, "sourceSha256");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(config, "config");
    }
}
