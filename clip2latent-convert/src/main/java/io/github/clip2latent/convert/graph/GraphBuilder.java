package io.github.clip2latent.convert.graph;

import ai.onnx.proto.OnnxMl;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import io.github.clip2latent.tensor.ElementType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds one ONNX model (opset {@value #OPSET}, IR version {@value #IR_VERSION}) from Java: graph
 * inputs and outputs with element types and fixed or symbolic dimensions, named initializers from
 * Java arrays, nodes with attributes through typed helpers for the operators this project uses, and
 * model metadata. Intermediate values get unique names under the current {@link #scope}.
 *
 * <p>Not thread-safe; one builder makes one model. The output is deterministic: the same calls in
 * the same order give byte-identical models.
 */
public final class GraphBuilder {

    /** The default-domain operator set version; 17 is the first with LayerNormalization. */
    public static final int OPSET = 17;

    /** The ONNX IR version written; 8 is the version that goes with opset 17. */
    public static final int IR_VERSION = 8;

    /** The producer name written into every model. */
    public static final String PRODUCER_NAME = "clip2latent-java";

    /** The producer version written into every model. */
    public static final String PRODUCER_VERSION = "0.1.0";

    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
    private final Set<String> defined = new HashSet<>();
    private final Set<String> outputs = new HashSet<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Deque<String> scopes = new ArrayDeque<>();
    private String docString = "";
    private boolean built;

    /**
     * Starts a graph.
     *
     * @param graphName the graph's name (stored in the model)
     */
    public GraphBuilder(String graphName) {
        Objects.requireNonNull(graphName, "graphName");
        graph.setName(graphName);
    }

    // ---------------------------------------------------------------------------------------------
    // Naming

    /** Restores the previous naming scope when closed; see {@link GraphBuilder#scope(String)}. */
    public interface Scope extends AutoCloseable {
        /** Leaves the scope. */
        @Override
        void close();
    }

    /**
     * Enters a naming scope: intermediate names made until the returned handle is closed start with
     * {@code name/}, which keeps graphs readable in viewers such as Netron.
     *
     * @param name scope name, e.g. {@code "layers.3.attn"}
     * @return a handle to close (try-with-resources)
     */
    public Scope scope(String name) {
        Objects.requireNonNull(name, "name");
        scopes.addLast(name);
        int depth = scopes.size();
        return () -> {
            if (scopes.size() != depth) {
                throw new IllegalStateException("scopes closed out of order");
            }
            scopes.removeLast();
        };
    }

    /**
     * A fresh name under the current scope, never used before in this graph.
     *
     * @param hint readable stem, e.g. an operator type
     * @return the unique name
     */
    public String uniqueName(String hint) {
        String stem = (scopes.isEmpty() ? "" : String.join("/", scopes) + "/") + hint;
        String name;
        do {
            int n = counters.merge(stem, 1, Integer::sum) - 1;
            name = stem + "_" + n;
        } while (defined.contains(name));
        return name;
    }

    private GraphValue define(String name) {
        if (!defined.add(name)) {
            throw new IllegalArgumentException(
                    "value name '" + name + "' is already used in this graph");
        }
        return new GraphValue(name);
    }

    private void requireDefined(GraphValue v) {
        Objects.requireNonNull(v, "value");
        if (!defined.contains(v.name())) {
            throw new IllegalArgumentException(
                    "value '" + v.name() + "' is not defined in this graph");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Inputs, outputs, initializers, metadata

    /**
     * Declares a graph input.
     *
     * @param name the input name callers feed
     * @param type element type
     * @param dims dimensions, fixed or symbolic
     * @return the input value
     */
    public GraphValue input(String name, ElementType type, Dim... dims) {
        checkOpen();
        GraphValue v = define(name);
        graph.addInput(valueInfo(name, type, dims));
        return v;
    }

    /**
     * Declares a graph output; when {@code value} has another name an Identity node renames it.
     *
     * @param value the value to expose
     * @param name the output name callers read
     * @param type element type
     * @param dims dimensions, fixed or symbolic
     */
    public void output(GraphValue value, String name, ElementType type, Dim... dims) {
        checkOpen();
        requireDefined(value);
        if (!outputs.add(name)) {
            throw new IllegalArgumentException("output '" + name + "' declared twice");
        }
        if (!value.name().equals(name)) {
            addNode(
                    "Identity",
                    List.of(value),
                    List.of(define(name).name()),
                    List.of(),
                    uniqueName("Identity"));
        }
        graph.addOutput(valueInfo(name, type, dims));
    }

    /**
     * Adds a float initializer under the tensor's own name (e.g. a checkpoint parameter name).
     *
     * @param tensor the weights
     * @return the initializer value
     */
    public GraphValue initializer(NamedTensor tensor) {
        checkOpen();
        Objects.requireNonNull(tensor, "tensor");
        GraphValue v = define(tensor.name());
        ByteBuffer bytes =
                ByteBuffer.allocate(Math.multiplyExact(tensor.size(), Float.BYTES))
                        .order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(tensor.buffer());
        graph.addInitializer(
                OnnxMl.TensorProto.newBuilder()
                        .setName(tensor.name())
                        .setDataType(ElementType.FLOAT.onnxDataType())
                        .addAllDims(asList(tensor.shape()))
                        // ONNX raw_data is little-endian by specification. The array is private to
                        // this call,
                        // so wrapping it without a copy is safe and saves a copy of the largest
                        // tensors.
                        .setRawData(UnsafeByteOperations.unsafeWrap(bytes.array())));
        return v;
    }

    /**
     * Adds a float constant under a fresh name.
     *
     * @param hint name stem
     * @param shape dimensions (empty for a scalar)
     * @param data values in row-major order
     * @return the initializer value
     */
    public GraphValue floatConstant(String hint, long[] shape, float[] data) {
        return initializer(new NamedTensor(uniqueName(hint), shape, data));
    }

    /**
     * Adds a float scalar constant under a fresh name.
     *
     * @param value the value
     * @return the initializer value
     */
    public GraphValue scalar(float value) {
        return floatConstant("scalar", new long[0], new float[] {value});
    }

    /**
     * Adds an int64 constant under a fresh name (shapes, axes, indices).
     *
     * @param hint name stem
     * @param shape dimensions (empty for a scalar)
     * @param data values in row-major order
     * @return the initializer value
     */
    public GraphValue int64Constant(String hint, long[] shape, long... data) {
        checkOpen();
        long count = NamedTensor.elementCount(hint, shape);
        if (count != data.length) {
            throw new IllegalArgumentException(
                    "int64 constant '"
                            + hint
                            + "' with shape "
                            + Arrays.toString(shape)
                            + " needs "
                            + count
                            + " values, got "
                            + data.length);
        }
        GraphValue v = define(uniqueName(hint));
        ByteBuffer bytes =
                ByteBuffer.allocate(data.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(data);
        graph.addInitializer(
                OnnxMl.TensorProto.newBuilder()
                        .setName(v.name())
                        .setDataType(ElementType.INT64.onnxDataType())
                        .addAllDims(asList(shape))
                        .setRawData(ByteString.copyFrom(bytes.array())));
        return v;
    }

    /**
     * Adds a 1-D int64 constant, the usual form of shapes and axes.
     *
     * @param hint name stem
     * @param values the values
     * @return the initializer value
     */
    public GraphValue int64Vector(String hint, long... values) {
        return int64Constant(hint, new long[] {values.length}, values);
    }

    /**
     * Adds a boolean constant under a fresh name (masks).
     *
     * @param hint name stem
     * @param shape dimensions
     * @param data values in row-major order
     * @return the initializer value
     */
    public GraphValue boolConstant(String hint, long[] shape, boolean... data) {
        checkOpen();
        long count = NamedTensor.elementCount(hint, shape);
        if (count != data.length) {
            throw new IllegalArgumentException(
                    "bool constant '" + hint + "' needs " + count + " values, got " + data.length);
        }
        GraphValue v = define(uniqueName(hint));
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            bytes[i] = (byte) (data[i] ? 1 : 0);
        }
        graph.addInitializer(
                OnnxMl.TensorProto.newBuilder()
                        .setName(v.name())
                        .setDataType(ElementType.BOOL.onnxDataType())
                        .addAllDims(asList(shape))
                        .setRawData(ByteString.copyFrom(bytes)));
        return v;
    }

    /**
     * Sets a model metadata property (e.g. an architecture hyper-parameter or provenance).
     *
     * @param key unique key
     * @param value the value
     * @return this builder
     */
    public GraphBuilder metadata(String key, String value) {
        checkOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (metadata.putIfAbsent(key, value) != null) {
            throw new IllegalArgumentException("metadata key '" + key + "' set twice");
        }
        return this;
    }

    /**
     * Sets the model's documentation string.
     *
     * @param doc free text
     * @return this builder
     */
    public GraphBuilder docString(String doc) {
        checkOpen();
        this.docString = Objects.requireNonNull(doc, "doc");
        return this;
    }

    // ---------------------------------------------------------------------------------------------
    // Nodes

    /**
     * Adds a node of any default-domain operator.
     *
     * @param opType operator type, e.g. {@code "MatMul"}
     * @param inputs input values in operator order
     * @param outputCount number of outputs
     * @param attributes node attributes
     * @return the fresh output values
     */
    public GraphValue[] node(
            String opType, List<GraphValue> inputs, int outputCount, Attribute... attributes) {
        checkOpen();
        if (outputCount < 1) {
            throw new IllegalArgumentException(
                    "a node needs at least one output, got " + outputCount);
        }
        String nodeName = uniqueName(opType);
        String[] names = new String[outputCount];
        for (int i = 0; i < outputCount; i++) {
            names[i] = define(outputCount == 1 ? nodeName + "_out" : nodeName + "_out" + i).name();
        }
        addNode(opType, inputs, List.of(names), List.of(attributes), nodeName);
        GraphValue[] out = new GraphValue[outputCount];
        for (int i = 0; i < outputCount; i++) {
            out[i] = new GraphValue(names[i]);
        }
        return out;
    }

    /**
     * Adds a single-output node.
     *
     * @param opType operator type
     * @param inputs input values
     * @param attributes node attributes
     * @return the output value
     */
    public GraphValue node1(String opType, List<GraphValue> inputs, Attribute... attributes) {
        return node(opType, inputs, 1, attributes)[0];
    }

    private void addNode(
            String opType,
            List<GraphValue> inputs,
            List<String> outs,
            List<Attribute> attributes,
            String nodeName) {
        OnnxMl.NodeProto.Builder n =
                OnnxMl.NodeProto.newBuilder().setOpType(opType).setName(nodeName);
        for (GraphValue in : inputs) {
            requireDefined(in);
            n.addInput(in.name());
        }
        n.addAllOutput(outs);
        for (Attribute a : attributes) {
            n.addAttribute(a.proto());
        }
        graph.addNode(n);
    }

    /**
     * Matrix product with NumPy broadcasting; see ONNX MatMul.
     *
     * @param a left
     * @param b right
     * @return the product a b
     */
    public GraphValue matMul(GraphValue a, GraphValue b) {
        return node1("MatMul", List.of(a, b));
    }

    /**
     * Element-wise sum with broadcasting.
     *
     * @param a left
     * @param b right
     * @return a + b
     */
    public GraphValue add(GraphValue a, GraphValue b) {
        return node1("Add", List.of(a, b));
    }

    /**
     * Element-wise difference with broadcasting.
     *
     * @param a left
     * @param b right
     * @return a - b
     */
    public GraphValue sub(GraphValue a, GraphValue b) {
        return node1("Sub", List.of(a, b));
    }

    /**
     * Element-wise product with broadcasting.
     *
     * @param a left
     * @param b right
     * @return a * b
     */
    public GraphValue mul(GraphValue a, GraphValue b) {
        return node1("Mul", List.of(a, b));
    }

    /**
     * Element-wise quotient with broadcasting.
     *
     * @param a left
     * @param b right
     * @return a / b
     */
    public GraphValue div(GraphValue a, GraphValue b) {
        return node1("Div", List.of(a, b));
    }

    /**
     * Element-wise remainder (integer Mod, sign of the divisor).
     *
     * @param a left
     * @param b right
     * @return a mod b
     */
    public GraphValue mod(GraphValue a, GraphValue b) {
        return node1("Mod", List.of(a, b));
    }

    /**
     * Logistic sigmoid.
     *
     * @param x input
     * @return 1 / (1 + exp(-x))
     */
    public GraphValue sigmoid(GraphValue x) {
        return node1("Sigmoid", List.of(x));
    }

    /**
     * Hyperbolic tangent.
     *
     * @param x input
     * @return tanh(x)
     */
    public GraphValue tanh(GraphValue x) {
        return node1("Tanh", List.of(x));
    }

    /**
     * Square root.
     *
     * @param x input
     * @return sqrt(x)
     */
    public GraphValue sqrt(GraphValue x) {
        return node1("Sqrt", List.of(x));
    }

    /**
     * Reciprocal.
     *
     * @param x input
     * @return 1 / x
     */
    public GraphValue reciprocal(GraphValue x) {
        return node1("Reciprocal", List.of(x));
    }

    /**
     * Leaky ReLU.
     *
     * @param x input
     * @param alpha slope for negative inputs
     * @return x for x >= 0, alpha x otherwise
     */
    public GraphValue leakyRelu(GraphValue x, float alpha) {
        return node1("LeakyRelu", List.of(x), Attribute.of("alpha", alpha));
    }

    /**
     * Permutes axes.
     *
     * @param x input
     * @param perm the new order of the input's axes
     * @return the transposed value
     */
    public GraphValue transpose(GraphValue x, long... perm) {
        return node1("Transpose", List.of(x), Attribute.ints("perm", perm));
    }

    /**
     * Reshapes to a constant shape; 0 copies the input's dimension, -1 is inferred.
     *
     * @param x input
     * @param shape the target shape
     * @return the reshaped value
     */
    public GraphValue reshape(GraphValue x, long... shape) {
        return node1("Reshape", List.of(x, int64Vector("shape", shape)));
    }

    /**
     * Inserts size-1 axes.
     *
     * @param x input
     * @param axes positions in the output
     * @return the expanded-rank value
     */
    public GraphValue unsqueeze(GraphValue x, long... axes) {
        return node1("Unsqueeze", List.of(x, int64Vector("axes", axes)));
    }

    /**
     * Concatenates along an axis.
     *
     * @param axis the axis
     * @param values the parts, equal in every other dimension
     * @return the concatenation
     */
    public GraphValue concat(long axis, GraphValue... values) {
        return node1("Concat", List.of(values), Attribute.of("axis", axis));
    }

    /**
     * Splits along an axis into parts of the given sizes.
     *
     * @param x input
     * @param axis the axis
     * @param sizes the size of each part
     * @return one value per part
     */
    public GraphValue[] split(GraphValue x, long axis, long... sizes) {
        return node(
                "Split",
                List.of(x, int64Vector("split", sizes)),
                sizes.length,
                Attribute.of("axis", axis));
    }

    /**
     * Gathers entries of {@code data} along {@code axis} at int64 {@code indices}.
     *
     * @param data table
     * @param indices int64 indices (a scalar index removes the axis)
     * @param axis the axis of {@code data}
     * @return the gathered values
     */
    public GraphValue gather(GraphValue data, GraphValue indices, long axis) {
        return node1("Gather", List.of(data, indices), Attribute.of("axis", axis));
    }

    /**
     * Picks one index of an axis and drops that axis.
     *
     * @param data input
     * @param index the index
     * @param axis the axis
     * @return the slice without the axis
     */
    public GraphValue pick(GraphValue data, long index, long axis) {
        return gather(data, int64Constant("index", new long[0], index), axis);
    }

    /**
     * Layer normalization over the last axis with a gain and no bias (opset 17 LayerNormalization).
     *
     * @param x input
     * @param gain the learned gain, shape = last dimension of x
     * @param epsilon added to the variance
     * @return the normalized value
     */
    public GraphValue layerNorm(GraphValue x, GraphValue gain, float epsilon) {
        return node1(
                "LayerNormalization",
                List.of(x, gain),
                Attribute.of("axis", -1L),
                Attribute.of("epsilon", epsilon));
    }

    /**
     * Softmax along one axis.
     *
     * @param x input
     * @param axis the axis
     * @return the softmax
     */
    public GraphValue softmax(GraphValue x, long axis) {
        return node1("Softmax", List.of(x), Attribute.of("axis", axis));
    }

    /**
     * Element-wise select.
     *
     * @param condition boolean selector
     * @param whenTrue values where the condition holds
     * @param whenFalse values elsewhere
     * @return the selection
     */
    public GraphValue where(GraphValue condition, GraphValue whenTrue, GraphValue whenFalse) {
        return node1("Where", List.of(condition, whenTrue, whenFalse));
    }

    /**
     * Element-wise comparison.
     *
     * @param a left
     * @param b right
     * @return boolean a &gt; b
     */
    public GraphValue greater(GraphValue a, GraphValue b) {
        return node1("Greater", List.of(a, b));
    }

    /**
     * Element-wise logical and.
     *
     * @param a left
     * @param b right
     * @return boolean a and b
     */
    public GraphValue and(GraphValue a, GraphValue b) {
        return node1("And", List.of(a, b));
    }

    /**
     * The int64 shape of {@code x}, restricted to axes {@code [start, end)}.
     *
     * @param x input
     * @param start first axis
     * @param end axis after the last
     * @return 1-D int64 shape
     */
    public GraphValue shape(GraphValue x, long start, long end) {
        return node1("Shape", List.of(x), Attribute.of("start", start), Attribute.of("end", end));
    }

    /**
     * Broadcasts to a run-time shape.
     *
     * @param x input
     * @param shape 1-D int64 target shape
     * @return the broadcast value
     */
    public GraphValue expand(GraphValue x, GraphValue shape) {
        return node1("Expand", List.of(x, shape));
    }

    /**
     * Mean over axes (opset 17 form: axes as an attribute).
     *
     * @param x input
     * @param keepDims whether reduced axes stay with size 1
     * @param axes the axes
     * @return the mean
     */
    public GraphValue reduceMean(GraphValue x, boolean keepDims, long... axes) {
        return node1(
                "ReduceMean",
                List.of(x),
                Attribute.ints("axes", axes),
                Attribute.of("keepdims", keepDims ? 1L : 0L));
    }

    /**
     * 2-D average pooling without padding.
     *
     * @param x NCHW input
     * @param kernel window size (square)
     * @param stride step (square)
     * @return the pooled value
     */
    public GraphValue averagePool(GraphValue x, long kernel, long stride) {
        return node1(
                "AveragePool",
                List.of(x),
                Attribute.ints("kernel_shape", kernel, kernel),
                Attribute.ints("strides", stride, stride));
    }

    /**
     * Flattens to 2-D.
     *
     * @param x input
     * @param axis axes before this one form the first output dimension
     * @return the 2-D value
     */
    public GraphValue flatten(GraphValue x, long axis) {
        return node1("Flatten", List.of(x), Attribute.of("axis", axis));
    }

    /**
     * 2-D transposed convolution without output padding, as PyTorch's {@code conv_transpose2d};
     * see ONNX ConvTranspose. The output size is {@code (in - 1) stride + k - pads}.
     *
     * @param x NCHW input
     * @param weight {@code [in, out / group, kh, kw]}
     * @param stride step in both axes
     * @param pads {@code [top, left, bottom, right]} removed from the full output, each {@code >=
     *     0}
     * @param group number of channel groups
     * @return the transposed convolution
     */
    public GraphValue convTranspose(GraphValue x, GraphValue weight, long stride, long[] pads, long group) {
        checkPads(pads);
        return node1(
                "ConvTranspose",
                List.of(x, weight),
                Attribute.ints("strides", stride, stride),
                Attribute.ints("pads", pads),
                Attribute.of("group", group));
    }

    /**
     * Slices with steps (ONNX Slice); an end beyond the axis is clamped.
     *
     * @param x input
     * @param axes the axes sliced
     * @param starts first index per axis
     * @param ends index after the last per axis ({@link Long#MAX_VALUE} for "to the end")
     * @param steps step per axis ({@code >= 1})
     * @return the slice
     */
    public GraphValue slice(
            GraphValue x, long[] axes, long[] starts, long[] ends, long[] steps) {
        if (starts.length != axes.length || ends.length != axes.length || steps.length != axes.length) {
            throw new IllegalArgumentException("slice: starts, ends, axes and steps differ in length");
        }
        return node1(
                "Slice",
                List.of(
                        x,
                        int64Vector("starts", starts),
                        int64Vector("ends", ends),
                        int64Vector("axes", axes),
                        int64Vector("steps", steps)));
    }

    /**
     * Layer normalization over the last axis with a gain and a bias (opset 17 LayerNormalization),
     * PyTorch's {@code nn.LayerNorm} with {@code elementwise_affine=True}.
     *
     * @param x input
     * @param gain the learned gain, shape = last dimension of x
     * @param bias the learned bias, shape = last dimension of x
     * @param epsilon added to the variance
     * @return the normalized value
     */
    public GraphValue layerNorm(GraphValue x, GraphValue gain, GraphValue bias, float epsilon) {
        return node1(
                "LayerNormalization",
                List.of(x, gain, bias),
                Attribute.of("axis", -1L),
                Attribute.of("epsilon", epsilon));
    }

    /**
     * 2-D convolution without bias or padding, square kernel taken from the weight; PyTorch's
     * {@code nn.Conv2d(..., bias=False)} with {@code padding=0}.
     *
     * @param x NCHW input
     * @param weight (out, in, k, k) kernel
     * @param stride step (square)
     * @return the NCHW output
     */
    public GraphValue conv(GraphValue x, GraphValue weight, long stride) {
        return conv(x, weight, null, stride, new long[] {0, 0, 0, 0}, 1);
    }

    /**
     * Index of the first largest value along an axis (int64), as {@code torch.argmax}.
     *
     * @param x input
     * @param axis the axis
     * @param keepDims whether the reduced axis stays with size 1
     * @return the int64 indices
     */
    public GraphValue argMax(GraphValue x, long axis, boolean keepDims) {
        return node1(
                "ArgMax",
                List.of(x),
                Attribute.of("axis", axis),
                Attribute.of("keepdims", keepDims ? 1L : 0L));
    }

    /**
     * Gathers single elements along an axis ({@code torch.gather}): the output has the shape of
     * {@code indices}, which has the rank of {@code data}.
     *
     * @param data input
     * @param indices int64 indices, same rank as data
     * @param axis the axis
     * @return the gathered values
     */
    public GraphValue gatherElements(GraphValue data, GraphValue indices, long axis) {
        return node1("GatherElements", List.of(data, indices), Attribute.of("axis", axis));
    }

    /**
     * Maximum over axes (opset 17 form: axes as an attribute); works on int64 too.
     *
     * @param x input
     * @param keepDims whether reduced axes stay with size 1
     * @param axes the axes
     * @return the maximum
     */
    public GraphValue reduceMax(GraphValue x, boolean keepDims, long... axes) {
        return node1(
                "ReduceMax",
                List.of(x),
                Attribute.ints("axes", axes),
                Attribute.of("keepdims", keepDims ? 1L : 0L));
    }

    /**
     * Slices with run-time bounds (ONNX Slice, step 1).
     *
     * @param x input
     * @param starts 1-D int64 first indices, one per axis
     * @param ends 1-D int64 end indices (exclusive), one per axis
     * @param axes 1-D int64 axes
     * @return the slice
     */
    public GraphValue slice(GraphValue x, GraphValue starts, GraphValue ends, GraphValue axes) {
        return node1("Slice", List.of(x, starts, ends, axes));
    }

    /**
     * 2-D convolution (cross-correlation, as PyTorch's {@code conv2d}); see ONNX Conv.
     *
     * @param x NCHW input
     * @param weight {@code [out, in / group, kh, kw]}
     * @param bias optional {@code [out]}, or {@code null}
     * @param stride step in both axes
     * @param pads {@code [top, left, bottom, right]}, each {@code >= 0}
     * @param group number of channel groups (the channel count for a depthwise convolution)
     * @return the convolved value
     */
    public GraphValue conv(
            GraphValue x, GraphValue weight, GraphValue bias, long stride, long[] pads, long group) {
        checkPads(pads);
        List<GraphValue> in = bias == null ? List.of(x, weight) : List.of(x, weight, bias);
        return node1(
                "Conv",
                in,
                Attribute.ints("strides", stride, stride),
                Attribute.ints("pads", pads),
                Attribute.of("group", group));
    }

    private static void checkPads(long[] pads) {
        for (long p : pads) {
            if (p < 0) {
                throw new IllegalArgumentException(
                        "pads must be >= 0 (crop with slice), got " + Arrays.toString(pads));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Signal-processing operators (StyleGAN3 synthesis: Fourier features, filtered leaky ReLU)

    /**
     * Sine.
     *
     * @param x input (radians)
     * @return sin(x)
     */
    public GraphValue sin(GraphValue x) {
        return node1("Sin", List.of(x));
    }

    /**
     * Clamps to a closed interval (opset 11+ form: bounds as float scalar inputs).
     *
     * @param x input
     * @param min lower bound
     * @param max upper bound
     * @return min(max(x, min), max)
     */
    public GraphValue clip(GraphValue x, float min, float max) {
        return node1("Clip", List.of(x, scalar(min), scalar(max)));
    }

    /**
     * Euclidean norm over axes (opset 17 form: axes as an attribute).
     *
     * @param x input
     * @param keepDims whether reduced axes stay with size 1
     * @param axes the axes
     * @return sqrt(sum(x^2))
     */
    public GraphValue reduceL2(GraphValue x, boolean keepDims, long... axes) {
        return node1(
                "ReduceL2",
                List.of(x),
                Attribute.ints("axes", axes),
                Attribute.of("keepdims", keepDims ? 1L : 0L));
    }

    /**
     * Slices along the given axes with step 1.
     *
     * @param x input
     * @param axes the sliced axes
     * @param starts first index per axis
     * @param ends index after the last per axis
     * @return the slice
     */
    public GraphValue slice(GraphValue x, long[] axes, long[] starts, long[] ends) {
        if (axes.length != starts.length || axes.length != ends.length) {
            throw new IllegalArgumentException(
                    "slice needs one start and end per axis, got axes "
                            + Arrays.toString(axes)
                            + ", starts "
                            + Arrays.toString(starts)
                            + ", ends "
                            + Arrays.toString(ends));
        }
        long[] steps = new long[axes.length];
        Arrays.fill(steps, 1L);
        return slice(x, axes, starts, ends, steps);
    }

    /**
     * Pads with zeros.
     *
     * @param x input
     * @param pads ONNX order: the begin counts of every axis, then the end counts (non-negative)
     * @return the padded value
     */
    public GraphValue pad(GraphValue x, long... pads) {
        for (long p : pads) {
            if (p < 0) {
                throw new IllegalArgumentException(
                        "pad counts must be non-negative (crop with slice), got "
                                + Arrays.toString(pads));
            }
        }
        return node1("Pad", List.of(x, int64Vector("pads", pads)));
    }

    /**
     * 2-D convolution (cross-correlation) without bias.
     *
     * @param x NCHW input
     * @param weight {@code [out, in / group, kh, kw]}
     * @param group number of channel groups (the input channel count for a depthwise filter)
     * @param strides step along height and width
     * @param pads {@code [top, left, bottom, right]}
     * @return the convolved value
     */
    public GraphValue conv(
            GraphValue x, GraphValue weight, long group, long[] strides, long[] pads) {
        return node1(
                "Conv",
                List.of(x, weight),
                Attribute.of("group", group),
                Attribute.ints("strides", strides),
                Attribute.ints("pads", pads));
    }

    // ---------------------------------------------------------------------------------------------
    // Model

    /**
     * Finishes the model; the builder cannot be used afterwards.
     *
     * @return the model with opset {@value #OPSET}, producer {@value #PRODUCER_NAME} and the
     *     metadata
     */
    public OnnxModel build() {
        checkOpen();
        if (graph.getOutputCount() == 0) {
            throw new IllegalStateException("graph '" + graph.getName() + "' has no outputs");
        }
        built = true;
        OnnxMl.ModelProto.Builder model =
                OnnxMl.ModelProto.newBuilder()
                        .setIrVersion(IR_VERSION)
                        .setProducerName(PRODUCER_NAME)
                        .setProducerVersion(PRODUCER_VERSION)
                        .setDocString(docString)
                        .addOpsetImport(
                                OnnxMl.OperatorSetIdProto.newBuilder()
                                        .setDomain("")
                                        .setVersion(OPSET))
                        .setGraph(graph);
        metadata.forEach(
                (k, v) ->
                        model.addMetadataProps(
                                OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return new OnnxModel(model.build());
    }

    private void checkOpen() {
        if (built) {
            throw new IllegalStateException("model already built");
        }
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, ElementType type, Dim... dims) {
        Objects.requireNonNull(type, "type");
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (Dim d : dims) {
            OnnxMl.TensorShapeProto.Dimension.Builder db =
                    OnnxMl.TensorShapeProto.Dimension.newBuilder();
            if (d.isSymbolic()) {
                db.setDimParam(d.symbol());
            } else {
                db.setDimValue(d.size());
            }
            shape.addDim(db);
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(
                        OnnxMl.TypeProto.newBuilder()
                                .setTensorType(
                                        OnnxMl.TypeProto.Tensor.newBuilder()
                                                .setElemType(type.onnxDataType())
                                                .setShape(shape)))
                .build();
    }

    private static List<Long> asList(long[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
