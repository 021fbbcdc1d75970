package io.github.clip2latent.examples.importer;

import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.Architecture;
import io.github.clip2latent.convert.stylegan.StyleGan2Synthesis.Block;

import java.util.ArrayList;
import java.util.List;

/**
 * A StyleGAN2 synthesis stopped at a lower resolution: with the skip architecture (config F) the
 * image is accumulated block by block ({@code img = upsample(img) + torgb(x)},
 * networks_stylegan2.py SynthesisBlock.forward), so the blocks up to {@code resolution} already
 * give a coarse version of the final image. The cheap preview for re-ranking candidates; it reads
 * the first {@link StyleGan2Synthesis#numWs()} rows of the full network's ws.
 */
public final class StyleGan2Preview {

    private StyleGan2Preview() {}

    /** Whether every block has the skip architecture, so that a preview can stop early. */
    public static boolean supports(StyleGan2Synthesis full) {
        return full.blocks().stream().allMatch(b -> b.architecture() == Architecture.SKIP);
    }

    /**
     * The synthesis network's blocks up to {@code resolution}, the last of them marked last.
     *
     * @throws IllegalArgumentException if the network is not skip-architecture or has no block at
     *     that resolution
     */
    public static StyleGan2Synthesis truncate(StyleGan2Synthesis full, int resolution) {
        List<Block> blocks = new ArrayList<>();
        for (Block b : full.blocks()) {
            if (b.architecture() != Architecture.SKIP) {
                throw new IllegalArgumentException(
                        b.path()
                                + " has architecture "
                                + b.architecture()
                                + "; a preview needs the skip architecture (each block adds to"
                                + " the image)");
            }
            if (b.resolution() > resolution) {
                break;
            }
            blocks.add(b);
        }
        Block last = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
        if (last == null || last.resolution() != resolution) {
            throw new IllegalArgumentException(
                    "no block of resolution " + resolution + " in a " + full.resolution()
                            + " synthesis network");
        }
        blocks.set(
                blocks.size() - 1,
                new Block(
                        last.path(),
                        last.resolution(),
                        last.architecture(),
                        true,
                        last.constInput(),
                        last.conv0(),
                        last.conv1(),
                        last.toRgb(),
                        last.skip(),
                        last.resampleFilter()));
        int ws = 0;
        for (Block b : blocks) {
            ws += b.numConv();
        }
        ws += last.numToRgb();
        return new StyleGan2Synthesis(full.wDim(), ws, resolution, full.imgChannels(), blocks);
    }
}
