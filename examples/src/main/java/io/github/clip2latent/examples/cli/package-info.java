/** The {@code clip2latent} command-line program: text in, PNG out, with any bundle. */
package io.github.clip2latent.examples.cli;
