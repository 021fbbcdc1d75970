package io.github.clip2latent.examples.importer;

import io.github.clip2latent.convert.graph.NamedTensor;
import io.github.clip2latent.convert.read.ConversionException;
import io.github.clip2latent.convert.read.ModuleRecord;
import io.github.clip2latent.convert.read.Tensor;
import io.github.clip2latent.convert.stylegan.Activation;
import io.github.clip2latent.convert.stylegan.FullyConnected;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.Architecture;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.Block;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.ModulatedConv;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.ResnetSkip;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.ToRgb;
import io.github.clip2latent.convert.stylegan.StyleGanMapping;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The converter's StyleGAN records ({@link StyleGanMapping}, {@link StyleGan2Synthesis}) filled
 * from the inert module records of a network pickle's {@code G_ema}, by the attribute and tensor
 * names of {@code training/networks_stylegan2.py} and {@code networks_stylegan3.py} (the mapping
 * network is the same in both). Replace with the StyleGAN converter's own pickle reading once it
 * has one.
 */
final class StyleGanRecords {

    private StyleGanRecords() {}

    /** The mapping network {@code G_ema.mapping} (StyleGAN2 or StyleGAN3). */
    static StyleGanMapping mapping(ModuleRecord generator) {
        ModuleRecord m = generator.child("mapping");
        int cDim = m.intAttribute("c_dim");
        if (cDim != 0) {
            throw ConversionException.at(
                    m.source(),
                    "G_ema.mapping",
                    "expected an unconditional generator (c_dim = 0), found c_dim = " + cDim);
        }
        int layers = m.intAttribute("num_layers");
        List<FullyConnected> fcs = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            fcs.add(fullyConnected(m.child("fc" + i), "mapping.fc" + i));
        }
        return new StyleGanMapping(
                m.intAttribute("z_dim"),
                m.intAttribute("w_dim"),
                m.intAttribute("num_ws"),
                fcs,
                m.tensor("w_avg").toFloatArray());
    }

    /** The StyleGAN2 synthesis network {@code G_ema.synthesis}. */
    static StyleGan2Synthesis synthesis2(ModuleRecord generator) {
        ModuleRecord s = generator.child("synthesis");
        int resolution = s.intAttribute("img_resolution");
        List<Block> blocks = new ArrayList<>();
        for (int res = 4; res <= resolution; res *= 2) {
            String rel = "b" + res;
            ModuleRecord b = s.child(rel);
            boolean first = res == 4;
            Architecture arch =
                    Architecture.valueOf(b.stringAttribute("architecture").toUpperCase(Locale.ROOT));
            ToRgb rgb = null;
            if (b.children().containsKey("torgb")) {
                ModuleRecord t = b.child("torgb");
                rgb =
                        new ToRgb(
                                rel + ".torgb",
                                fullyConnected(t.child("affine"), rel + ".torgb.affine"),
                                named(t.tensor("weight"), rel + ".torgb.weight"),
                                named(t.tensor("bias"), rel + ".torgb.bias"),
                                t.doubleAttribute("weight_gain"),
                                clamp(t));
            }
            ResnetSkip skip = null;
            if (b.children().containsKey("skip")) {
                ModuleRecord k = b.child("skip");
                skip =
                        new ResnetSkip(
                                rel + ".skip",
                                named(k.tensor("weight"), rel + ".skip.weight"),
                                k.doubleAttribute("weight_gain"),
                                k.intAttribute("up"),
                                named(k.tensor("resample_filter"), rel + ".skip.resample_filter"),
                                clamp(k));
            }
            blocks.add(
                    new Block(
                            rel,
                            res,
                            arch,
                            b.booleanAttribute("is_last"),
                            first ? named(b.tensor("const"), rel + ".const") : null,
                            first ? null : conv(b.child("conv0"), rel + ".conv0"),
                            conv(b.child("conv1"), rel + ".conv1"),
                            rgb,
                            skip,
                            named(b.tensor("resample_filter"), rel + ".resample_filter")));
        }
        return new StyleGan2Synthesis(
                s.intAttribute("w_dim"),
                s.intAttribute("num_ws"),
                resolution,
                s.intAttribute("img_channels"),
                blocks);
    }

    private static ModulatedConv conv(ModuleRecord c, String path) {
        boolean noise = c.booleanAttribute("use_noise");
        return new ModulatedConv(
                path,
                fullyConnected(c.child("affine"), path + ".affine"),
                named(c.tensor("weight"), path + ".weight"),
                named(c.tensor("bias"), path + ".bias"),
                c.intAttribute("resolution"),
                c.intAttribute("up"),
                c.intAttribute("padding"),
                Activation.forReferenceName(c.stringAttribute("activation")),
                clamp(c),
                named(c.tensor("resample_filter"), path + ".resample_filter"),
                noise ? named(c.tensor("noise_const"), path + ".noise_const") : null,
                noise ? c.tensor("noise_strength").toFloatArray()[0] : 0f);
    }

    private static FullyConnected fullyConnected(ModuleRecord fc, String path) {
        return new FullyConnected(
                path,
                named(fc.tensor("weight"), path + ".weight"),
                fc.parameter("bias").map(t -> named(t, path + ".bias")).orElse(null),
                fc.doubleAttribute("weight_gain"),
                fc.doubleAttribute("bias_gain"),
                Activation.forReferenceName(fc.stringAttribute("activation")));
    }

    /** {@code conv_clamp}: a number or {@code None}. */
    private static Double clamp(ModuleRecord m) {
        Object v = m.attributes().get("conv_clamp");
        return v instanceof Number n ? n.doubleValue() : null;
    }

    private static NamedTensor named(Tensor t, String name) {
        return new NamedTensor(name, t.shape(), t.toFloatArray());
    }

    /** The pickle a record came from, for messages. */
    static Path source(ModuleRecord m) {
        return m.source();
    }
}
