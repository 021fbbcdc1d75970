package io.github.clip2latent.convert.clip;

import com.google.common.hash.Hashing;
import com.google.common.io.Files;

import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.read.ConversionException;
import io.github.clip2latent.convert.read.SafetensorsReader;
import io.github.clip2latent.convert.read.StateDict;
import io.github.clip2latent.convert.read.Tensor;
import io.github.clip2latent.convert.read.TorchScriptReader;
import io.github.clip2latent.convert.read.TorchZipReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Converts a CLIP ViT weight file (OpenAI's TorchScript archive, a {@code torch.save} state dict,
 * or Hugging Face safetensors) into the two encoder graphs. The weights become float32 as {@code
 * clip.load(..., device="cpu", jit=False)} makes them (float16 widened exactly); the architecture
 * is inferred from the shapes as {@code build_model} does. Never runs code from the file.
 */
public final class ClipImporter {

    /** File name of the image encoder graph in the output folder. */
    public static final String IMAGE_ENCODER_FILE = "clip_image_encoder.onnx";

    /** File name of the text encoder graph in the output folder. */
    public static final String TEXT_ENCODER_FILE = "clip_text_encoder.onnx";

    private ClipImporter() {}

    /**
     * Reads {@code source} and writes {@value #IMAGE_ENCODER_FILE} and {@value #TEXT_ENCODER_FILE}
     * into {@code outputDir} (each atomically; if the second fails, the first is removed).
     *
     * @param source the weight file
     * @param outputDir an existing folder
     * @return the written files and the dimensions a bundle needs
     * @throws ConversionException naming the file when it is not a CLIP ViT or is inconsistent
     * @throws IOException when reading or writing fails
     */
    public static ClipImport importFile(Path source, Path outputDir) throws IOException {
        Objects.requireNonNull(outputDir, "outputDir");
        ClipSourceFormat format = detect(source);
        String sha256 = Files.asByteSource(source.toFile()).hash(Hashing.sha256()).toString();
        ClipWeights weights = readWeights(source, format);
        String provenance = format + " " + source.getFileName() + " sha256 " + sha256;
        Path image = outputDir.resolve(IMAGE_ENCODER_FILE);
        Path text = outputDir.resolve(TEXT_ENCODER_FILE);
        ClipGraphWriter.writeImageEncoder(weights, provenance, image);
        try {
            ClipGraphWriter.writeTextEncoder(weights, provenance, text);
        } catch (IOException | RuntimeException e) {
            try {
                java.nio.file.Files.deleteIfExists(image);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        ClipConfig c = weights.config();
        return new ClipImport(
                image,
                text,
                c.embedDim(),
                c.imageResolution(),
                c.contextLength(),
                c.vocabSize(),
                sha256,
                format,
                c);
    }

    /**
     * Reads and checks the weights of a file of any supported format.
     *
     * @param source the weight file
     * @return the weights under OpenAI's names, float32
     * @throws ConversionException naming the file and the problem
     * @throws IOException when the file cannot be read
     */
    public static ClipWeights readWeights(Path source) throws IOException {
        return readWeights(source, detect(source));
    }

    /**
     * Reads and checks the weights of a file of a known format.
     *
     * @param source the weight file
     * @param format its format
     * @return the weights under OpenAI's names, float32
     * @throws ConversionException naming the file and the problem
     */
    public static ClipWeights readWeights(Path source, ClipSourceFormat format) {
        Objects.requireNonNull(format, "format");
        try (StateDict sd =
                switch (format) {
                    case TORCHSCRIPT -> TorchScriptReader.readStateDict(source);
                    case TORCH_SAVE -> TorchZipReader.readStateDict(source);
                    case SAFETENSORS -> SafetensorsReader.readStateDict(source);
                }) {
            return fromStateDict(sd, format);
        }
    }

    /**
     * Turns a state dict into checked weights: drops the entries {@code build_model} drops (the
     * archive's integer {@code input_resolution}, {@code context_length}, {@code vocab_size}), maps
     * Hugging Face names, infers the architecture and checks every tensor.
     *
     * @param sd the tensors as read
     * @param format the format they came from (Hugging Face names for {@link
     *     ClipSourceFormat#SAFETENSORS})
     * @return the weights
     * @throws ConversionException naming the file and the problem
     */
    public static ClipWeights fromStateDict(StateDict sd, ClipSourceFormat format) {
        String source = sd.source().toString();
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : sd.asMap().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (!t.dtype().isFloatingPoint()) {
                if (ClipWeights.ARCHIVE_EXTRAS.contains(name) && t.shape().length == 0) {
                    continue; // build_model deletes these
                }
                if (format == ClipSourceFormat.SAFETENSORS && name.endsWith(".position_ids")) {
                    continue; // a transformers buffer, 0..n-1
                }
                throw new ConversionException(
                        source
                                + ": tensor '"
                                + name
                                + "' is "
                                + t.dtype()
                                + " "
                                + Arrays.toString(t.shape())
                                + ", expected a floating-point CLIP parameter");
            }
            tensors.put(name, new NamedTensor(name, t.shape(), t.toFloatArray()));
        }
        if (format == ClipSourceFormat.SAFETENSORS
                || HuggingFaceClipNames.looksLikeHuggingFace(tensors.keySet())) {
            tensors = HuggingFaceClipNames.toOpenAi(tensors, source);
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((k, v) -> shapes.put(k, v.shape()));
        ClipConfig config = ClipConfig.infer(shapes, source);
        return ClipWeights.of(config, tensors, source);
    }

    /**
     * Tells the formats apart by content, not by name: a zip with a {@code constants.pkl} or
     * {@code code/} entry is a TorchScript archive (what {@code torch.jit.load} accepts), any other
     * zip a {@code torch.save} file, and a file starting with a little-endian header length and
     * {@code '{'} safetensors.
     *
     * @param source the file
     * @return its format
     * @throws ConversionException naming the file when it is none of them
     * @throws IOException when it cannot be read
     */
    public static ClipSourceFormat detect(Path source) throws IOException {
        byte[] head = new byte[9];
        int n;
        try (InputStream in = java.nio.file.Files.newInputStream(source)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            try (ZipFile zip = new ZipFile(source.toFile())) {
                for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                    String name = e.getName();
                    if (name.endsWith("/constants.pkl") || name.contains("/code/")) {
                        return ClipSourceFormat.TORCHSCRIPT;
                    }
                }
            }
            return ClipSourceFormat.TORCH_SAVE;
        }
        if (n == 9 && head[8] == '{') {
            return ClipSourceFormat.SAFETENSORS;
        }
        throw new ConversionException(
                source
                        + ": not a CLIP weight file: expected a TorchScript or torch.save zip, or"
                        + " safetensors, found "
                        + n
                        + " leading bytes "
                        + Arrays.toString(Arrays.copyOf(head, n)));
    }
}
