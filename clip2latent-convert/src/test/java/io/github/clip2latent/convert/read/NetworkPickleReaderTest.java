package io.github.clip2latent.convert.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.npy.Npy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

class NetworkPickleReaderTest {

    @Test
    void styleGan2SnapshotReadsAsTheManifestSays() throws IOException {
        NetworkPickle pkl =
                NetworkPickleReader.read(Fixtures.path("stylegan2/network-snapshot-025000.pkl"));
        assertEquals(List.of("G", "D", "G_ema", "augment_pipe", "training_set_kwargs"), pkl.keys());
        ModuleRecord g = pkl.network("G_ema");
        assertEquals("Generator", g.className());
        assertEquals(8, g.intAttribute("num_ws"));
        assertEquals(64, g.intAttribute("z_dim"));
        assertEquals(
                Map.of(
                        "z_dim", 64,
                        "w_dim", 64,
                        "mapping_kwargs", Map.of("num_layers", 8),
                        "channel_base", 256,
                        "channel_max", 16,
                        "fused_modconv_default", "inference_only",
                        "c_dim", 0,
                        "img_resolution", 32,
                        "img_channels", 3),
                g.initKwargs());
        StateDict sd = g.stateDict();
        assertEquals(87, sd.size(), "MANIFEST: 87 tensors in G_ema");
        assertEquals(
                List.of(
                        "synthesis.b4.const",
                        "synthesis.b4.resample_filter",
                        "synthesis.b4.conv1.weight",
                        "synthesis.b4.conv1.noise_strength",
                        "synthesis.b4.conv1.bias",
                        "synthesis.b4.conv1.resample_filter"),
                sd.names().subList(0, 6));
        for (Tensor t : sd.asMap().values()) {
            assertEquals(DType.FLOAT32, t.dtype(), t.name());
        }
        assertArrayEquals(
                Npy.read(Fixtures.path("stylegan2/w_avg.npy")).data(),
                g.child("mapping").tensor("w_avg").toFloatArray());
        assertEquals("mapping.w_avg", g.child("mapping").tensor("w_avg").name());
        ModuleRecord conv0 = g.child("synthesis.b8.conv0");
        assertEquals("synthesis.b8.conv0", conv0.path());
        assertEquals("SynthesisLayer", conv0.className());
        assertTrue(conv0.parameter("weight").isPresent());
        assertTrue(conv0.buffer("noise_const").isPresent());
        assertFalse(conv0.parameter("noise_const").isPresent());
        // G differs from G_ema on purpose (MANIFEST: img_from_G_not_G_ema).
        float[] a = g.child("synthesis.b8.conv0").tensor("weight").toFloatArray();
        float[] b = pkl.network("G").child("synthesis.b8.conv0").tensor("weight").toFloatArray();
        assertFalse(Arrays.equals(a, b));
        assertTrue(pkl.get("training_set_kwargs") instanceof Map<?, ?>);
        ConversionException e = assertThrows(ConversionException.class, () -> conv0.tensor("nope"));
        assertTrue(e.getMessage().contains("synthesis.b8.conv0"), e.getMessage());
        assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
    }

    @Test
    void styleGan3SnapshotReadsWithNumpyAttributes() throws IOException {
        NetworkPickle pkl =
                NetworkPickleReader.read(Fixtures.path("stylegan3/network-snapshot-025000.pkl"));
        ModuleRecord g = pkl.network("G_ema");
        assertEquals(16, g.intAttribute("num_ws"));
        assertEquals(114, g.stateDict().size(), "MANIFEST: 114 tensors in G_ema");
        assertEquals(
                List.of(
                        "synthesis.input.weight",
                        "synthesis.input.transform",
                        "synthesis.input.freqs",
                        "synthesis.input.phases",
                        "synthesis.input.affine.weight",
                        "synthesis.input.affine.bias"),
                g.stateDict().names().subList(0, 6));
        assertEquals(
                0.9988915792636801,
                ((Number) g.initKwargs().get("magnitude_ema_beta")).doubleValue());
        ModuleRecord layer = g.child("synthesis.L0_36_16");
        assertEquals(List.of(36L, 36L), layer.attributes().get("in_size"));
        assertEquals(2.0, layer.doubleAttribute("in_cutoff"));
        assertEquals(6.0, layer.doubleAttribute("in_half_width"));
        assertTrue(layer.booleanAttribute("use_fp16"));
        assertEquals(256, layer.intAttribute("conv_clamp"));
        assertEquals(List.of(9, 8, 9, 8), layer.attributes().get("padding"));
        assertArrayEquals(
                Npy.read(Fixtures.path("stylegan3/w_avg.npy")).data(),
                g.child("mapping").tensor("w_avg").toFloatArray());
    }
}
