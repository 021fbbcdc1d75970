package io.github.clip2latent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

/** Each {@code with*} copy changes its own component and keeps every other one. */
class RuntimeOptionsTest {

    private static final RuntimeOptions BASE =
            new RuntimeOptions(ExecutionProvider.CUDA, 3, OptLevel.BASIC_OPT, false, 2, false, true);

    @Test
    void eachCopyChangesOnlyItsComponent() throws Exception {
        Map<String, UnaryOperator<RuntimeOptions>> copies =
                Map.of(
                        "provider", o -> o.withProvider(ExecutionProvider.CPU),
                        "intraOpThreads", o -> o.withIntraOpThreads(1),
                        "optimizationLevel", o -> o.withOptimizationLevel(OptLevel.ALL_OPT),
                        "memoryPattern", o -> o.withMemoryPattern(true),
                        "cudaDevice", o -> o.withCudaDevice(0),
                        "verifyChecksums", o -> o.withChecksumVerification(true),
                        "cpuMemoryArena", o -> o.withCpuMemoryArena(false));
        RecordComponent[] components = RuntimeOptions.class.getRecordComponents();
        assertEquals(components.length, copies.size(), "a with* copy per component");
        for (var copy : copies.entrySet()) {
            RuntimeOptions changed = copy.getValue().apply(BASE);
            for (RecordComponent c : components) {
                Object before = c.getAccessor().invoke(BASE);
                Object after = c.getAccessor().invoke(changed);
                if (c.getName().equals(copy.getKey())) {
                    assertNotEquals(before, after, copy.getKey() + " unchanged by its copy");
                } else {
                    assertEquals(before, after, c.getName() + " changed by " + copy.getKey());
                }
            }
        }
    }

    @Test
    void defaultsReturnMemoryAfterEachRun() {
        assertFalse(RuntimeOptions.defaults().cpuMemoryArena());
        assertFalse(RuntimeOptions.cpu().cpuMemoryArena());
    }
}
