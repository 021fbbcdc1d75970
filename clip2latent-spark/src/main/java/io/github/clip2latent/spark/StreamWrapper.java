package io.github.clip2latent.spark;

import java.io.OutputStream;
import java.io.Serializable;

/**
 * Wraps the stream a shard file is written through, on the executor; the identity in production.
 * Tests use it to make one task attempt fail in the middle of a file, as a killed executor would.
 */
@FunctionalInterface
interface StreamWrapper extends Serializable {

    /** Writes straight through. */
    StreamWrapper NONE = (name, out) -> out;

    /** The stream to write file {@code name} through, writing on to {@code out}. */
    OutputStream wrap(String name, OutputStream out);
}
