package io.github.clip2latent.convert.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.convert.graph.NamedTensor;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

class PriorWeightsTest {

    private static final PriorConfig SMALL = new PriorConfig(16, 2, 2, 8, 10);

    @Test
    void paperConfigurationHasThePublishedParameterCount() {
        PriorConfig paper = PriorConfig.paper();
        assertEquals(48_767_872L, paper.parameterCount());
        assertEquals(32, paper.rotaryDim());
        assertEquals(8, new PriorConfig(16, 1, 2, 8, 10).rotaryDim());
    }

    @Test
    void randomPaperWeightsSumToTheParameterCount() {
        PriorWeights w = PriorWeights.random(PriorConfig.paper(), 3);
        assertEquals(48_767_872L, w.parameterCount());
        assertEquals(3 + 9 * 12 + 2, w.tensors().size());
        assertArrayEquals(new long[] {32, 12}, w.get(PriorWeights.REL_POS_BIAS).shape());
        assertArrayEquals(
                new long[] {4096, 512},
                w.get("net.causal_transformer.layers.11.1.1.weight").shape());
    }

    @Test
    void randomWeightsAreSeeded() {
        assertEquals(
                PriorWeights.random(SMALL, 1).tensors(), PriorWeights.random(SMALL, 1).tensors());
        assertTrue(
                !PriorWeights.random(SMALL, 1)
                        .tensors()
                        .equals(PriorWeights.random(SMALL, 2).tensors()));
    }

    @Test
    void wrongShapeNamesParameterExpectedAndFound() {
        Map<String, NamedTensor> tensors =
                new LinkedHashMap<>(PriorWeights.random(SMALL, 1).tensors());
        String name = "net.causal_transformer.layers.1.0.to_kv.weight";
        tensors.put(name, new NamedTensor(name, new long[] {16, 15}, new float[16 * 15]));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PriorWeights.of(SMALL, tensors));
        assertTrue(
                e.getMessage()
                        .contains(
                                "parameter 'net.causal_transformer.layers.1.0.to_kv.weight' has"
                                        + " shape [16, 15], expected [16, 16]"),
                e.getMessage());
    }

    @Test
    void missingAndUnexpectedParametersAreNamed() {
        Map<String, NamedTensor> tensors =
                new LinkedHashMap<>(PriorWeights.random(SMALL, 1).tensors());
        tensors.remove(PriorWeights.LEARNED_QUERY);
        String extra = "net.causal_transformer.layers.0.0.rotary_emb.freqs";
        tensors.put(extra, new NamedTensor(extra, new long[] {4}, new float[4]));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PriorWeights.of(SMALL, tensors));
        assertTrue(
                e.getMessage()
                        .contains("missing parameter 'net.learned_query' (expected shape [16])"),
                e.getMessage());
        assertTrue(e.getMessage().contains("unexpected parameter '" + extra + "'"), e.getMessage());
    }

    @Test
    void configRejectsInvalidValues() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> new PriorConfig(16, 1, 2, 7, 10));
        assertTrue(e.getMessage().contains("dimHead"));
        assertThrows(IllegalArgumentException.class, () -> new PriorConfig(0, 1, 2, 8, 10));
    }
}
