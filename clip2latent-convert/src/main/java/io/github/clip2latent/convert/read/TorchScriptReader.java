package io.github.clip2latent.convert.read;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads TorchScript archives ({@code torch.jit.save}, e.g. OpenAI's {@code ViT-B-32.pt}) safely:
 * the module object tree of {@code <folder>/data.pkl} (objects of {@code __torch__.*} classes, kept
 * as inert records; the archive's {@code code/} is never read, let alone run) is flattened to the
 * dotted names that {@code torch.jit.load(f).state_dict()} gives: each module's own tensors in
 * attribute order (TorchScript lists parameters, then buffers), then its submodules, depth first.
 */
public final class TorchScriptReader {

    private TorchScriptReader() {}

    /**
     * Reads every tensor of the module tree.
     *
     * @param file a TorchScript zip
     * @return the tensors with dotted names, in {@code state_dict()} order
     * @throws ConversionException naming the file and the entry on any problem
     */
    public static StateDict readStateDict(Path file) {
        TorchZipReader.Loaded loaded = TorchZipReader.load(file, PickleGlobals.torchScript(file));
        try {
            String where = loaded.folder() + "data.pkl";
            if (!(loaded.root() instanceof PickledObject root)
                    || !root.className().startsWith("__torch__.")) {
                throw ConversionException.at(
                        file,
                        where,
                        "expected a TorchScript module object at the root, found "
                                + SafeUnpickler.describe(loaded.root())
                                + " (a plain torch.save file? use TorchZipReader)");
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            flatten(root, "", tensors);
            return new StateDict(file, tensors, loaded.archive());
        } catch (RuntimeException e) {
            TorchZipReader.closeQuietly(loaded.archive(), e);
            throw e;
        }
    }

    private static void flatten(PickledObject module, String prefix, Map<String, Tensor> out) {
        List<Map.Entry<String, Object>> children = new ArrayList<>();
        for (Map.Entry<String, Object> e : module.attributes().entrySet()) {
            Object v = e.getValue();
            if (v instanceof Tensor t) {
                String name = prefix + e.getKey();
                out.put(name, t.named(name));
            } else if (v instanceof PickledObject p && p.className().startsWith("__torch__.")) {
                children.add(Map.entry(e.getKey(), v));
            }
        }
        for (Map.Entry<String, Object> c : children) {
            flatten((PickledObject) c.getValue(), prefix + c.getKey() + ".", out);
        }
    }
}
