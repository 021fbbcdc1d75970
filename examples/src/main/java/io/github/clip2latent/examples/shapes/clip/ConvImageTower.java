package io.github.clip2latent.examples.shapes.clip;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The world CLIP's convolutional image tower, used in place of OpenAI's ViT because it measures
 * better on the shapes world at the rebuild's budget (docs/shapes-world.md): one convolution per
 * entry of {@link #channels} (kernel {@value #KERNEL}, stride {@value #STRIDE}, padding {@value
 * #PADDING}, ReLU; each halves the side), the last feature map flattened in (channel, y, x) order
 * so that where things are stays readable, then {@code fc1} with ReLU and {@code fc2} to the joint
 * embedding. The output is raw, as OpenAI's {@code encode_image}; the loss and the runtime
 * normalize it.
 *
 * <p>Parameters use PyTorch's names and layouts: {@code visual.conv{i}.weight} {@code [out, in,
 * 4, 4]}, {@code visual.conv{i}.bias}, {@code visual.fc{1,2}.weight} {@code [out, in]}, {@code
 * visual.fc{1,2}.bias}.
 *
 * @param imageSize side of the (square) input image; a multiple of {@code 2^channels.size()}
 * @param channels output channels of each convolution, 1 to 6 layers
 * @param hidden width of {@code fc1}
 * @param embedDim width of the joint embedding
 */
public record ConvImageTower(int imageSize, List<Integer> channels, int hidden, int embedDim) {

    /** Convolution kernel side. */
    public static final int KERNEL = 4;

    /** Convolution stride. */
    public static final int STRIDE = 2;

    /** Convolution padding on every side. */
    public static final int PADDING = 1;

    /** Validates. */
    public ConvImageTower {
        channels = List.copyOf(checkNotNull(channels, "channels"));
        checkArgument(
                !channels.isEmpty() && channels.size() <= 6,
                "channels needs 1 to 6 layers, got %s",
                channels);
        for (int c : channels) {
            checkArgument(c >= 1, "channels must be >= 1, got %s", channels);
        }
        int factor = 1 << channels.size();
        checkArgument(
                imageSize >= factor && imageSize % factor == 0,
                "imageSize %s must be a multiple of %s (%s halvings)",
                imageSize,
                factor,
                channels.size());
        checkArgument(hidden >= 1 && embedDim >= 1, "hidden and embedDim must be >= 1");
    }

    /** Name of convolution {@code i}'s weight. */
    public static String convWeight(int i) {
        return "visual.conv" + i + ".weight";
    }

    /** Name of convolution {@code i}'s bias. */
    public static String convBias(int i) {
        return "visual.conv" + i + ".bias";
    }

    /** Name of the first dense layer's weight {@code [hidden, flatFeatures]}. */
    public static final String FC1_WEIGHT = "visual.fc1.weight";

    /** Name of the first dense layer's bias. */
    public static final String FC1_BIAS = "visual.fc1.bias";

    /** Name of the second dense layer's weight {@code [embedDim, hidden]}. */
    public static final String FC2_WEIGHT = "visual.fc2.weight";

    /** Name of the second dense layer's bias. */
    public static final String FC2_BIAS = "visual.fc2.bias";

    /**
     * Side of a convolution's output for an input of side {@code side}: {@code (side + 2 PADDING -
     * KERNEL) / STRIDE + 1}, which is {@code side / 2} here.
     */
    public static int outputSide(int side) {
        return (side + 2 * PADDING - KERNEL) / STRIDE + 1;
    }

    /** Side of the last feature map. */
    public int featureSide() {
        return imageSize >> channels.size();
    }

    /** Width of the flattened last feature map: channels x side x side. */
    public int flatFeatures() {
        int side = featureSide();
        return channels.get(channels.size() - 1) * side * side;
    }

    /**
     * Every parameter's name and shape, in order.
     *
     * @return name to shape, insertion-ordered
     */
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        int in = 3;
        for (int i = 0; i < channels.size(); i++) {
            int out = channels.get(i);
            s.put(convWeight(i), new long[] {out, in, KERNEL, KERNEL});
            s.put(convBias(i), new long[] {out});
            in = out;
        }
        s.put(FC1_WEIGHT, new long[] {hidden, flatFeatures()});
        s.put(FC1_BIAS, new long[] {hidden});
        s.put(FC2_WEIGHT, new long[] {embedDim, hidden});
        s.put(FC2_BIAS, new long[] {embedDim});
        return s;
    }
}
