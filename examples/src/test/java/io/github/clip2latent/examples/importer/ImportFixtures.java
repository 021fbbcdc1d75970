package io.github.clip2latent.examples.importer;

import io.github.clip2latent.convert.prior.PriorConfig;
import io.github.clip2latent.convert.prior.PriorWeights;
import io.github.clip2latent.convert.read.StateDict;
import io.github.clip2latent.convert.read.TestZips;
import io.github.clip2latent.convert.read.TorchZipReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** The reference fixtures (from the converter's test jar) as files, and files made from them. */
final class ImportFixtures {

    private ImportFixtures() {}

    /** Copies {@code /reference/<relative>} from the class path into {@code dir}. */
    static Path copy(String relative, Path dir) throws IOException {
        Path target = dir.resolve(relative);
        Files.createDirectories(target.getParent());
        if (!Files.exists(target)) {
            try (InputStream in = ImportFixtures.class.getResourceAsStream("/reference/" + relative)) {
                if (in == null) {
                    throw new IllegalStateException("missing test resource /reference/" + relative);
                }
                Files.copy(in, target);
            }
        }
        return target;
    }

    /**
     * An import request for the reference's fixture prior, StyleGAN2 pickle and CLIP archive, copied
     * under {@code dir/in}, writing the bundle to {@code dir/bundle}.
     */
    static ImportRequest.Builder stylegan2Request(Path dir) throws IOException {
        Path in = dir.resolve("in");
        return ImportRequest.builder()
                .prior(copy("prior/prior.ckpt", in))
                .stylegan(copy("stylegan2/network-snapshot-025000.pkl", in))
                .clip(copy("clip/clip-tiny-vit.pt", in))
                .output(dir.resolve("bundle"));
    }

    /**
     * A prior checkpoint like the fixture's but of width {@code dim} (dim_head, heads, depth and the
     * schedule kept): random weights under the EMA prefix, the schedule buffers and rotary
     * frequencies copied from the fixture, zero LayerNorm biases, unit latent std.
     */
    static Path priorOfWidth(Path fixtureCheckpoint, int dim, Path file) throws IOException {
        String prefix = PriorWeights.CHECKPOINT_PREFIX;
        Map<String, float[]> data = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (StateDict all = TorchZipReader.readStateDict(fixtureCheckpoint, "state_dict")) {
            StateDict sd = all.withPrefix(prefix);
            for (String n : sd.names()) {
                long[] shape = sd.get(n).shape();
                shapes.put(n, shape);
                data.put(n, sd.get(n).toFloatArray());
            }
            long[] kv = shapes.get("net.causal_transformer.layers.0.0.to_kv.weight");
            long[] q = shapes.get("net.causal_transformer.layers.0.0.to_q.weight");
            int dimHead = (int) kv[0] / 2;
            int heads = (int) q[0] / dimHead;
            int depth = 0;
            while (shapes.containsKey("net.causal_transformer.layers." + depth + ".0.to_q.weight")) {
                depth++;
            }
            int timesteps = (int) shapes.get(PriorWeights.TIME_EMBEDDINGS)[0];
            PriorConfig config = new PriorConfig(dim, depth, heads, dimHead, timesteps);
            SplittableRandom random = new SplittableRandom(5);
            for (Map.Entry<String, long[]> e : PriorWeights.expectedShapes(config).entrySet()) {
                long[] s = e.getValue();
                float[] v = new float[(int) count(s)];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (0.02 * random.nextGaussian());
                }
                shapes.put(e.getKey(), s);
                data.put(e.getKey(), v);
            }
            for (String n : shapes.keySet()) {
                if (n.endsWith(".gamma")) {
                    shapes.put(n, new long[] {dim});
                    float[] ones = new float[dim];
                    java.util.Arrays.fill(ones, 1f);
                    data.put(n, ones);
                } else if (n.endsWith(".beta")) {
                    shapes.put(n, new long[] {dim});
                    data.put(n, new float[dim]);
                }
            }
            float[] ones = new float[dim];
            java.util.Arrays.fill(ones, 1f);
            shapes.put("latent_mean", new long[] {dim});
            data.put("latent_mean", new float[dim]);
            shapes.put("latent_std", new long[] {dim});
            data.put("latent_std", ones);
        }
        TestZips.Pickle p = new TestZips.Pickle().emptyDict().str("state_dict").emptyDict();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        int key = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long[] shape = e.getValue();
            int[] size = new int[shape.length];
            int[] stride = new int[shape.length];
            int st = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                size[i] = (int) shape[i];
                stride[i] = st;
                st *= size[i];
            }
            float[] v = data.get(e.getKey());
            p.str(prefix + e.getKey())
                    .tensor("FloatStorage", Integer.toString(key), v.length, 0, size, stride)
                    .setItem();
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            storages.put("archive/data/" + key, b.array());
            key++;
        }
        p.setItem();
        Map<String, byte[]> entries = TestZips.entries();
        entries.put("archive/data.pkl", p.stop());
        entries.putAll(storages);
        entries.put("archive/version", "3\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Files.createDirectories(file.getParent());
        return TestZips.write(file, entries);
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
