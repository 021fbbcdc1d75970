package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.clip2latent.bundle.BundleWriter;
import io.github.clip2latent.bundle.ImagePreprocessing;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.convert.clip.ClipGraphWriter;
import io.github.clip2latent.convert.clip.ClipWeights;
import io.github.clip2latent.convert.graph.OnnxModel;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The exported encoders of a {@link ClipModel}, written by the same {@link ClipGraphWriter} that
 * converts OpenAI's published CLIP models, ready for a bundle.
 *
 * @param textEncoder {@code input_ids int64[B, T] -> text_embeds float[B, E]}, raw embeddings
 * @param imageEncoder {@code pixel_values float[B, 3, R, R] -> image_embeds float[B, E]}, raw; the
 *     input is preprocessed as {@link #preprocessing()} says
 * @param preprocessing the image preprocessing the image encoder was trained with
 */
public record ClipOnnxModels(
        OnnxModel textEncoder, OnnxModel imageEncoder, ImagePreprocessing preprocessing) {

    /** The file name {@link #writeTo} gives the text encoder. */
    public static final String TEXT_ENCODER_FILE = "textEncoder.onnx";

    /** The file name {@link #writeTo} gives the image encoder. */
    public static final String IMAGE_ENCODER_FILE = "imageEncoder.onnx";

    /** Validates. */
    public ClipOnnxModels {
        checkNotNull(textEncoder, "textEncoder");
        checkNotNull(imageEncoder, "imageEncoder");
        checkNotNull(preprocessing, "preprocessing");
    }

    /**
     * Exports a model's current weights: the text encoder through {@link ClipGraphWriter}, the image
     * encoder through it too (OpenAI's ViT) or through {@link ConvImageEncoderWriter} (a {@link
     * ConvImageTower}).
     *
     * @param model the model
     * @param provenance free text stored in the graphs' metadata
     * @return both encoders and the preprocessing
     */
    public static ClipOnnxModels export(ClipModel model, String provenance) {
        ClipWeights weights = model.weights();
        OnnxModel image =
                model.convImageTower()
                        .map(
                                tower ->
                                        ConvImageEncoderWriter.build(
                                                tower, model.convImageTowerWeights(), provenance))
                        .orElseGet(() -> ClipGraphWriter.buildImageEncoder(weights, provenance));
        return new ClipOnnxModels(
                ClipGraphWriter.buildTextEncoder(weights, provenance),
                image,
                ImagePreprocessing.clip(model.config().imageResolution()));
    }

    /**
     * Writes {@value #TEXT_ENCODER_FILE} and {@value #IMAGE_ENCODER_FILE} into {@code directory}
     * (each atomically).
     *
     * @param directory an existing folder
     * @throws IOException when writing fails
     */
    public void writeTo(Path directory) throws IOException {
        checkNotNull(directory, "directory");
        textEncoder.write(directory.resolve(TEXT_ENCODER_FILE));
        imageEncoder.write(directory.resolve(IMAGE_ENCODER_FILE));
    }

    /**
     * Sets both encoder graphs and the image preprocessing on a bundle writer; the caller still
     * sets the tokenizer, the generator and the prior.
     *
     * @param writer the bundle writer
     * @return the same writer
     */
    public BundleWriter addTo(BundleWriter writer) {
        checkNotNull(writer, "writer");
        return writer.graph(Stage.TEXT_ENCODER, textEncoder.toByteArray())
                .graph(Stage.IMAGE_ENCODER, imageEncoder.toByteArray())
                .preprocessing(preprocessing);
    }
}
