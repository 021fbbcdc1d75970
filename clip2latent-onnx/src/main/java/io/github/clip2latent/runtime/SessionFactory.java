package io.github.clip2latent.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import io.github.clip2latent.bundle.BundleException;
import io.github.clip2latent.tensor.ElementType;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.bundle.Stage;
import io.github.clip2latent.bundle.StageSpec;
import io.github.clip2latent.bundle.TensorSpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Creates validated sessions for a bundle's stages with one execution-provider decision for all of
 * them: CUDA is tried once (unless the CPU was asked for); if it fails, the reason is logged and
 * every session runs on the CPU. Thread-safe.
 */
public final class SessionFactory {

    private static final Logger LOG = LoggerFactory.getLogger(SessionFactory.class);

    private final OrtEnvironment environment;
    private final RuntimeOptions options;
    private volatile Boolean cudaWorks;

    /** A factory for the given options. */
    public SessionFactory(RuntimeOptions options) {
        this.environment = sharedEnvironment();
        this.options = options;
    }

    /** Stack for the thread that first creates ONNX Runtime's environment. */
    private static final long ENVIRONMENT_THREAD_STACK = 64L << 20;

    /**
     * ONNX Runtime 1.29 on Linux recurses, while creating its environment, to a depth that grows
     * with the length of the process command line: with a long class path (ND4J's jars, an IDE) it
     * overflows the 1 MB stack of a default Java thread and the JVM dies with SIGSEGV. The
     * environment is a per-process singleton, so creating it once on a thread with a large stack
     * avoids that for good.
     */
    private static OrtEnvironment shared;

    /** The process-wide environment, made once (on a large stack) and then reused. */
    private static synchronized OrtEnvironment sharedEnvironment() {
        if (shared == null) {
            shared = environmentOnLargeStack();
            removeNativeFolderAtExit();
        }
        return shared;
    }

    /**
     * ONNX Runtime extracts its native libraries into a new {@code
     * java.io.tmpdir/onnxruntime-java*} folder and marks the folder and then the files for deletion
     * at exit; the JVM deletes in reverse order of marking, so the folder is tried while still full
     * and stays behind, empty, after every run. Where the loaded libraries can be found (Linux's
     * {@code /proc/self/maps}), this removes the folder of this process's libraries at exit
     * (unlinking a loaded library is harmless there); elsewhere it does nothing.
     */
    private static void removeNativeFolderAtExit() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return;
        }
        Set<Path> folders;
        try (Stream<String> lines = Files.lines(maps)) {
            folders =
                    lines.filter(l -> l.contains("/" + NATIVE_FOLDER_PREFIX))
                            .map(
                                    l ->
                                            Path.of(
                                                    l.substring(l.indexOf('/'))
                                                            .replace(" (deleted)", "")))
                            .map(Path::getParent)
                            .filter(
                                    p ->
                                            p.getFileName()
                                                    .toString()
                                                    .startsWith(NATIVE_FOLDER_PREFIX))
                            .collect(Collectors.toSet());
        } catch (IOException | UncheckedIOException | InvalidPathException e) {
            LOG.debug("cannot read {} to find ONNX Runtime's native folder", maps, e);
            return;
        }
        for (Path folder : folders) {
            LOG.debug("ONNX Runtime's native libraries are in {}; removed at exit", folder);
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> deleteFolder(folder), "clip2latent-ort-native-cleanup"));
        }
    }

    private static final String NATIVE_FOLDER_PREFIX = "onnxruntime-java";

    private static void deleteFolder(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(folder);
        } catch (IOException | UncheckedIOException e) {
            // At exit there is nobody left to tell; the folder is merely not removed.
        }
    }

    private static OrtEnvironment environmentOnLargeStack() {
        OrtEnvironment[] created = new OrtEnvironment[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread thread =
                new Thread(
                        null,
                        () -> {
                            try {
                                created[0] = OrtEnvironment.getEnvironment();
                            } catch (RuntimeException e) {
                                failure[0] = e;
                            }
                        },
                        "clip2latent-ort-environment",
                        ENVIRONMENT_THREAD_STACK);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return created[0];
    }

    /**
     * The number of stage sessions this library has open in this JVM: a leak check for tests and
     * long-running services (every closed handle returns it to its earlier value).
     */
    public static int openSessionCount() {
        return StageSession.OPEN.get();
    }

    /** The shared ONNX Runtime environment. */
    public OrtEnvironment environment() {
        return environment;
    }

    /** The provider the sessions actually use: CUDA or CPU (known after the first session). */
    public ExecutionProvider activeProvider() {
        return Boolean.TRUE.equals(cudaWorks) ? ExecutionProvider.CUDA : ExecutionProvider.CPU;
    }

    /**
     * Opens the graph of {@code stage} and checks its inputs and outputs against the manifest.
     *
     * @throws BundleException naming the file and stage: unreadable or corrupt graph, missing or
     *     extra input, missing output, wrong element type, rank or dimension
     */
    StageSession open(ModelBundle bundle, Stage stage) throws BundleException {
        Path file = bundle.stageFile(stage);
        StageSpec spec = bundle.manifest().stage(stage);
        OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions();
        OrtSession session = null;
        try {
            configure(sessionOptions);
            session = environment.createSession(file.toString(), sessionOptions);
            validate(session, spec, stage, file);
            return new StageSession(stage, file, spec, session, sessionOptions);
        } catch (OrtException e) {
            closeQuietly(session);
            sessionOptions.close();
            throw new BundleException(
                    "cannot load the "
                            + stage.key()
                            + " graph "
                            + file
                            + " with ONNX Runtime (corrupt or unsupported ONNX file?): "
                            + e.getMessage(),
                    e);
        } catch (Throwable e) {
            // Also on an Error (OutOfMemoryError): the session and its options are freed.
            closeQuietly(session);
            sessionOptions.close();
            throw e;
        }
    }

    private void configure(OrtSession.SessionOptions sessionOptions) throws OrtException {
        sessionOptions.setOptimizationLevel(options.optimizationLevel());
        sessionOptions.setMemoryPatternOptimization(options.memoryPattern());
        sessionOptions.setCPUArenaAllocator(options.cpuMemoryArena());
        if (options.intraOpThreads() > 0) {
            sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
        }
        ExecutionProvider provider = options.effectiveProvider();
        if (provider == ExecutionProvider.CPU || Boolean.FALSE.equals(cudaWorks)) {
            return;
        }
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            // The CPU-only onnxruntime artifact: no CUDA to try. Calling addCUDA anyway makes ONNX
            // Runtime search the class path for provider libraries, which crashed the JVM (SIGSEGV)
            // when ND4J's jars were on it.
            cudaWorks = false;
            String message =
                    "this ONNX Runtime build has no CUDA provider (use the onnxruntime_gpu"
                            + " artifact); running on the CPU";
            if (provider == ExecutionProvider.CUDA) {
                LOG.warn(message);
            } else {
                LOG.debug(message);
            }
            return;
        }
        try {
            sessionOptions.addCUDA(options.cudaDevice());
            if (cudaWorks == null) {
                LOG.debug("running on CUDA device {}", options.cudaDevice());
            }
            cudaWorks = true;
        } catch (OrtException e) {
            // No GPU, no CUDA libraries or the CPU-only artifact: fall back, never fail for it.
            cudaWorks = false;
            if (provider == ExecutionProvider.CUDA) {
                LOG.warn("CUDA unavailable, running on the CPU ({})", e.getMessage());
            } else {
                LOG.debug("CUDA unavailable, running on the CPU ({})", e.getMessage());
            }
        }
    }

    private static void validate(OrtSession session, StageSpec spec, Stage stage, Path file)
            throws OrtException, BundleException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        String where = "stage " + stage.key() + " (" + file + "): ";
        for (TensorSpec declared : spec.inputs()) {
            check(inputs.get(declared.name()), declared, "input", where, inputs.keySet());
        }
        TreeSet<String> extra = new TreeSet<>(inputs.keySet());
        spec.inputs().forEach(t -> extra.remove(t.name()));
        if (!extra.isEmpty()) {
            throw new BundleException(
                    where
                            + "the graph has inputs "
                            + extra
                            + " that the manifest does not declare; declared: "
                            + spec.inputs().stream().map(TensorSpec::name).toList());
        }
        for (TensorSpec declared : spec.outputs()) {
            check(outputs.get(declared.name()), declared, "output", where, outputs.keySet());
        }
    }

    private static void check(
            NodeInfo node,
            TensorSpec declared,
            String kind,
            String where,
            java.util.Set<String> available)
            throws BundleException {
        if (node == null) {
            throw new BundleException(
                    where
                            + "expected "
                            + kind
                            + " '"
                            + declared.name()
                            + "' ("
                            + declared.describe()
                            + "), the graph's "
                            + kind
                            + "s are "
                            + new TreeSet<>(available));
        }
        if (!(node.getInfo() instanceof TensorInfo info)) {
            throw new BundleException(
                    where
                            + kind
                            + " '"
                            + declared.name()
                            + "' must be a tensor, found "
                            + node.getInfo());
        }
        ElementType type =
                info.type == OnnxJavaType.FLOAT
                        ? ElementType.FLOAT
                        : info.type == OnnxJavaType.INT64 ? ElementType.INT64 : null;
        long[] shape = info.getShape();
        String found =
                (type == null
                                ? info.type.toString().toLowerCase(java.util.Locale.ROOT)
                                : type.manifestName())
                        + describe(shape);
        if (type != declared.type() || shape.length != declared.rank()) {
            throw new BundleException(
                    where
                            + kind
                            + " '"
                            + declared.name()
                            + "': expected "
                            + declared.describe()
                            + ", found "
                            + found);
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > 0 && declared.dim(i) > 0 && shape[i] != declared.dim(i)) {
                throw new BundleException(
                        where
                                + kind
                                + " '"
                                + declared.name()
                                + "': dimension "
                                + i
                                + " expected "
                                + declared.dim(i)
                                + " ("
                                + declared.describe()
                                + "), found "
                                + shape[i]
                                + " ("
                                + found
                                + ")");
            }
        }
    }

    private static String describe(long[] shape) {
        return Arrays.toString(
                Arrays.stream(shape).mapToObj(d -> d > 0 ? Long.toString(d) : "?").toArray());
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                LOG.warn("closing a session that failed validation", e);
            }
        }
    }
}
