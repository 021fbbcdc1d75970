/**
 * The runtime: loads and validates model bundles, runs their stages on ONNX Runtime, tokenizes
 * prompts, and offers the fluent {@link io.github.clip2latent.Clip2Latent} API.
 */
module io.github.clip2latent.onnx {
    requires transitive io.github.clip2latent.core;
    // BufferedImage is part of the request and result API.
    requires transitive java.desktop;
    requires com.microsoft.onnxruntime;
    requires com.fasterxml.jackson.databind;
    requires com.google.common;
    requires org.slf4j;

    exports io.github.clip2latent;
    exports io.github.clip2latent.bundle;
    exports io.github.clip2latent.runtime;
    exports io.github.clip2latent.tokenizer;
    // Image preprocessing and PNG writing, shared with training; not an API of their own.
    exports io.github.clip2latent.image to
            io.github.clip2latent.train;
}
