/**
 * The paper's prior training: the (w, e_i) dataset from a bundle's generator and image encoder,
 * SameDiff training with AdamW and EMA, validation, checkpoints, and export as a bundle.
 */
module io.github.clip2latent.train {
    requires transitive io.github.clip2latent.onnx;
    requires transitive io.github.clip2latent.convert;
    requires nd4j.api;
    requires com.fasterxml.jackson.databind;
    requires com.google.common;

    exports io.github.clip2latent.train.checkpoint;
    exports io.github.clip2latent.train.dataset;
    exports io.github.clip2latent.train.export;
    exports io.github.clip2latent.train.fit;
    exports io.github.clip2latent.train.loop;
    exports io.github.clip2latent.train.model;
    exports io.github.clip2latent.train.optim;
    exports io.github.clip2latent.train.validate;
}
