package io.github.clip2latent.convert.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

class TorchScriptReaderTest {

    private static final List<String> INT_ENTRIES =
            List.of("input_resolution", "context_length", "vocab_size");

    @Test
    void archiveFlattensToTheStateDictNamesOfItsCopy() {
        try (StateDict archive =
                        TorchScriptReader.readStateDict(Fixtures.path("clip/clip-tiny-vit.pt"));
                StateDict copy =
                        TorchZipReader.readStateDict(
                                Fixtures.path("clip/clip-tiny-vit-vocab512-state_dict.pt"))) {
            // MANIFEST: the archive's state_dict() has 65 entries, the copy the same names without
            // the three int64 0-d entries, in the same (state_dict) order.
            assertEquals(65, archive.size());
            List<String> withoutInts = new ArrayList<>(archive.names());
            withoutInts.removeAll(INT_ENTRIES);
            assertEquals(copy.names(), withoutInts);
            assertEquals(
                    List.of(
                            "positional_embedding",
                            "text_projection",
                            "logit_scale",
                            "input_resolution",
                            "context_length",
                            "vocab_size",
                            "visual.class_embedding"),
                    archive.names().subList(0, 7));
            assertEquals(224L, archive.get("input_resolution").toLongArray()[0]);
            assertEquals(77L, archive.get("context_length").toLongArray()[0]);
            assertEquals(49408L, archive.get("vocab_size").toLongArray()[0]);
            for (String n : INT_ENTRIES) {
                assertEquals(DType.INT64, archive.get(n).dtype());
                assertArrayEquals(new long[0], archive.get(n).shape());
            }
            // Every other tensor: float16, equal shapes and values (the token table cut to 512
            // rows).
            for (String n : copy.names()) {
                Tensor a = archive.get(n);
                Tensor c = copy.get(n);
                assertEquals(DType.FLOAT16, a.dtype(), n);
                if (n.equals("token_embedding.weight")) {
                    assertArrayEquals(new long[] {49408, 64}, a.shape());
                    assertArrayEquals(new long[] {512, 64}, c.shape());
                    assertArrayEquals(
                            c.toFloatArray(), Arrays.copyOf(a.toFloatArray(), 512 * 64), n);
                } else {
                    assertArrayEquals(c.shape(), a.shape(), n);
                    assertArrayEquals(c.toFloatArray(), a.toFloatArray(), n);
                }
            }
            // build_model's inference (clip/MANIFEST.md table).
            assertArrayEquals(
                    new long[] {128, 3, 16, 16}, archive.get("visual.conv1.weight").shape());
            assertArrayEquals(new long[] {77, 64}, archive.get("positional_embedding").shape());
            assertArrayEquals(new long[] {64, 64}, archive.get("text_projection").shape());
            assertEquals(
                    2,
                    archive.names().stream()
                            .filter(
                                    n ->
                                            n.startsWith("visual.")
                                                    && n.endsWith("attn.in_proj_weight"))
                            .count());
        }
    }
}
