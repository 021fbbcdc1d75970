package io.github.clip2latent.convert.stylegan;

import io.github.clip2latent.convert.graph.OnnxModel;
import io.github.clip2latent.convert.read.ModuleRecord;
import io.github.clip2latent.convert.read.NetworkPickleReader;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes the synthesis network of a StyleGAN3 generator (configurations T and R) from an NVIDIA
 * network pickle as an ONNX graph: input {@value #INPUT} {@code [batch, num_ws, w_dim]} float32,
 * output {@value #OUTPUT} {@code [batch, img_channels, img_resolution, img_resolution]} float32,
 * the generator's {@code synthesis(ws)} as the reference computes it on a CPU (NVIDIA's stylegan3
 * code base as clip2latent vendors it: training/networks_stylegan3.py with the {@code _ref} paths
 * of torch_utils/ops). StyleGAN3 has no noise inputs. The mapping network is written separately.
 *
 * <p>The graph carries metadata {@code clip2latent.stylegan.*}: family, class name, num_ws, w_dim,
 * img_resolution, img_channels and the source file name.
 */
public final class StyleGan3SynthesisGraphWriter {

    /** Graph input: per-layer w latents {@code [batch, num_ws, w_dim]}. */
    public static final String INPUT = StyleGan3Graph.INPUT;

    /** Graph output: the image {@code [batch, channels, resolution, resolution]}. */
    public static final String OUTPUT = StyleGan3Graph.OUTPUT;

    /** The network of a snapshot pickle that is converted (the moving average, never {@code G}). */
    public static final String NETWORK = "G_ema";

    private StyleGan3SynthesisGraphWriter() {}

    /**
     * Reads {@value #NETWORK} from a network pickle and writes its synthesis graph.
     *
     * @param pickle the network pickle (e.g. {@code lhq-256-stylegan3-t-25Mimg.pkl})
     * @return the model
     * @throws io.github.clip2latent.convert.read.ConversionException when the pickle is not a
     *     StyleGAN3 generator this converter supports; the message names the pickle, the module
     *     path and the problem
     */
    public static OnnxModel write(Path pickle) {
        Objects.requireNonNull(pickle, "pickle");
        return write(NetworkPickleReader.read(pickle).network(NETWORK), pickle);
    }

    /**
     * Writes the synthesis graph of a generator record already read from a pickle.
     *
     * @param generator the generator module record ({@code training.networks_stylegan3.Generator})
     * @param pickle the file it came from, named in messages and metadata
     * @return the model
     */
    public static OnnxModel write(ModuleRecord generator, Path pickle) {
        Objects.requireNonNull(generator, "generator");
        Objects.requireNonNull(pickle, "pickle");
        return StyleGan3Graph.write(StyleGan3Pickle.read(view(generator), pickle));
    }

    /** The reader's module record as the view the checks read. */
    static StyleGan3Module view(ModuleRecord record) {
        return new StyleGan3Module() {
            @Override
            public String path() {
                return record.path();
            }

            @Override
            public String className() {
                return record.className();
            }

            @Override
            public Map<String, Object> initKwargs() {
                return record.initKwargs();
            }

            @Override
            public Map<String, Object> attributes() {
                return record.attributes();
            }

            @Override
            public Optional<StyleGan3Module> child(String name) {
                return Optional.ofNullable(record.children().get(name)).map(c -> view(c));
            }

            @Override
            public Optional<Stored> tensor(String name) {
                return record.parameter(name)
                        .or(() -> record.buffer(name))
                        .map(t -> new Stored(t.shape(), t::toFloatArray));
            }
        };
    }
}
