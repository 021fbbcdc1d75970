package io.github.clip2latent.convert.clip;

import io.github.clip2latent.convert.read.ConversionException;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;

/**
 * Architecture of an OpenAI CLIP model with a ViT image tower ({@code clip/model.py} {@code CLIP}
 * constructor arguments, plus the vision head count that the constructor derives).
 *
 * @param embedDim width of the joint embedding ({@code text_projection.shape[1]})
 * @param imageResolution input image side in pixels
 * @param visionPatchSize side of the square patches ({@code visual.conv1} kernel and stride)
 * @param visionWidth vision transformer width
 * @param visionLayers vision transformer blocks
 * @param visionHeads vision attention heads ({@code build_model}: width / 64)
 * @param contextLength text tokens per prompt (77)
 * @param vocabSize rows of the token embedding table (49408)
 * @param textWidth text transformer width
 * @param textLayers text transformer blocks
 * @param textHeads text attention heads ({@code build_model}: width / 64)
 */
public record ClipConfig(
        int embedDim,
        int imageResolution,
        int visionPatchSize,
        int visionWidth,
        int visionLayers,
        int visionHeads,
        int contextLength,
        int vocabSize,
        int textWidth,
        int textLayers,
        int textHeads) {

    /** {@code build_model} sets heads to width / 64 for both towers of a ViT CLIP. */
    public static final int HEAD_WIDTH = 64;

    /**
     * Validates the hyper-parameters.
     *
     * @throws IllegalArgumentException when a value is not positive, the resolution is not a
     *     multiple of the patch size, or a width is not a multiple of its head count
     */
    public ClipConfig {
        requirePositive("embedDim", embedDim);
        requirePositive("imageResolution", imageResolution);
        requirePositive("visionPatchSize", visionPatchSize);
        requirePositive("visionWidth", visionWidth);
        requirePositive("visionLayers", visionLayers);
        requirePositive("visionHeads", visionHeads);
        requirePositive("contextLength", contextLength);
        requirePositive("vocabSize", vocabSize);
        requirePositive("textWidth", textWidth);
        requirePositive("textLayers", textLayers);
        requirePositive("textHeads", textHeads);
        if (imageResolution % visionPatchSize != 0) {
            throw new IllegalArgumentException(
                    "imageResolution "
                            + imageResolution
                            + " is not a multiple of visionPatchSize "
                            + visionPatchSize);
        }
        if (visionWidth % visionHeads != 0) {
            throw new IllegalArgumentException(
                    "visionWidth "
                            + visionWidth
                            + " is not a multiple of visionHeads "
                            + visionHeads);
        }
        if (textWidth % textHeads != 0) {
            throw new IllegalArgumentException(
                    "textWidth " + textWidth + " is not a multiple of textHeads " + textHeads);
        }
        if ((long) vocabSize * textWidth > Integer.MAX_VALUE
                || 4L * visionWidth * visionWidth > Integer.MAX_VALUE
                || 3L * visionPatchSize * visionPatchSize * visionWidth > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "configuration too large for Java arrays: vocabSize "
                            + vocabSize
                            + ", textWidth "
                            + textWidth
                            + ", visionWidth "
                            + visionWidth);
        }
    }

    /**
     * OpenAI's published ViT-B/32 ({@code ViT-B-32.pt}): embed 512, 224 px, patch 32, vision 768 x
     * 12 (12 heads), context 77, vocabulary 49408, text 512 x 12 (8 heads).
     *
     * @return the configuration
     */
    public static ClipConfig vitB32() {
        return new ClipConfig(512, 224, 32, 768, 12, 12, 77, 49408, 512, 12, 8);
    }

    /**
     * Infers the architecture from parameter names and shapes as {@code clip.model.build_model}
     * does for a ViT CLIP, then checks that every tensor the model needs is present with the
     * expected shape (see {@link ClipWeights#expectedShapes}).
     *
     * @param shapes parameter name (OpenAI naming) to shape
     * @param source the file the names came from, for messages
     * @return the configuration
     * @throws ConversionException naming the source and the problem when the names are not those of
     *     a ViT CLIP or the shapes are inconsistent
     */
    public static ClipConfig infer(Map<String, long[]> shapes, String source) {
        if (!shapes.containsKey("visual.proj")) {
            if (shapes.keySet().stream().anyMatch(k -> k.startsWith("visual.layer1."))) {
                throw new ConversionException(
                        source
                                + ": a CLIP with a ResNet image tower (RN50 and kin); only ViT CLIP"
                                + " models are supported");
            }
            throw new ConversionException(
                    source
                            + ": not an OpenAI CLIP ViT state dict: no 'visual.proj' among its "
                            + shapes.size()
                            + " tensors (first names: "
                            + shapes.keySet().stream().limit(5).toList()
                            + ")");
        }
        long[] conv = require(shapes, source, "visual.conv1.weight", 4);
        long[] visionPos = require(shapes, source, "visual.positional_embedding", 2);
        long[] textProj = require(shapes, source, "text_projection", 2);
        long[] textPos = require(shapes, source, "positional_embedding", 2);
        long[] tokens = require(shapes, source, "token_embedding.weight", 2);
        long[] lnFinal = require(shapes, source, "ln_final.weight", 1);
        int visionWidth = toInt(conv[0]);
        int patch = toInt(conv[3]);
        int visionLayers =
                (int)
                        shapes.keySet().stream()
                                .filter(
                                        k ->
                                                k.startsWith("visual.")
                                                        && k.endsWith(".attn.in_proj_weight"))
                                .count();
        // build_model: grid = round(sqrt(rows - 1)); the rows must then be grid^2 + 1.
        long grid = Math.round(Math.sqrt(visionPos[0] - 1.0));
        if (grid * grid + 1 != visionPos[0]) {
            throw new ConversionException(
                    source
                            + ": 'visual.positional_embedding' has "
                            + visionPos[0]
                            + " rows, expected a square patch grid plus one class token");
        }
        int textWidth = toInt(lnFinal[0]);
        TreeSet<String> textBlocks = new TreeSet<>();
        for (String k : shapes.keySet()) {
            if (k.startsWith("transformer.resblocks.")) {
                textBlocks.add(k.split("\\.")[2]);
            }
        }
        if (visionWidth < HEAD_WIDTH || textWidth < HEAD_WIDTH) {
            throw new ConversionException(
                    source
                            + ": widths vision "
                            + visionWidth
                            + " / text "
                            + textWidth
                            + " give no attention head (build_model sets heads = width / 64)");
        }
        if (visionLayers == 0 || textBlocks.isEmpty()) {
            throw new ConversionException(
                    source
                            + ": no transformer blocks found (vision "
                            + visionLayers
                            + ", text "
                            + textBlocks.size()
                            + ")");
        }
        ClipConfig config;
        try {
            config =
                    new ClipConfig(
                            toInt(textProj[1]),
                            toInt(patch * grid),
                            patch,
                            visionWidth,
                            visionLayers,
                            visionWidth / HEAD_WIDTH,
                            toInt(textPos[0]),
                            toInt(tokens[0]),
                            textWidth,
                            textBlocks.size(),
                            textWidth / HEAD_WIDTH);
        } catch (IllegalArgumentException e) {
            throw new ConversionException(
                    source + ": inconsistent CLIP shapes: " + e.getMessage(), e);
        }
        ClipWeights.checkShapes(config, shapes, source);
        return config;
    }

    private static long[] require(
            Map<String, long[]> shapes, String source, String name, int rank) {
        long[] shape = shapes.get(name);
        if (shape == null) {
            throw new ConversionException(source + ": CLIP tensor '" + name + "' is missing");
        }
        if (shape.length != rank) {
            throw new ConversionException(
                    source
                            + ": CLIP tensor '"
                            + name
                            + "' has shape "
                            + Arrays.toString(shape)
                            + ", expected rank "
                            + rank);
        }
        return shape;
    }

    private static int toInt(long v) {
        return Math.toIntExact(v);
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    /**
     * Side of the patch grid.
     *
     * @return imageResolution / visionPatchSize
     */
    public int grid() {
        return imageResolution / visionPatchSize;
    }

    /**
     * Vision tokens: the patches plus the class token.
     *
     * @return grid^2 + 1
     */
    public int visionTokens() {
        return grid() * grid() + 1;
    }
}
