package io.github.clip2latent.convert.graph;

import io.github.clip2latent.tensor.ElementType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class OnnxModelWriteTest {

    @TempDir Path dir;

    @Test
    void modelWriteIsAtomicToo() throws IOException {
        GraphBuilder g = new GraphBuilder("g");
        GraphValue x = g.input("x", ElementType.FLOAT, Dim.of(2));
        g.output(g.tanh(x), "y", ElementType.FLOAT, Dim.of(2));
        OnnxModel model = g.build();
        Path target = dir.resolve("m.onnx");
        model.write(target);
        assertArrayEquals(model.toByteArray(), Files.readAllBytes(target));
    }
}
