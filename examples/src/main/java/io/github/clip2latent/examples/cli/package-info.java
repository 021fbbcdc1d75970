/**
 * The one {@code clip2latent} command line (picocli): {@code sample} (the default), {@code train
 * generate|fit|export|eval}, {@code build-shapes}, {@code quality} and {@code figures}, with shared
 * option sets for the bundle, the runtime and sampling. Subcommands are registered in {@link
 * io.github.clip2latent.examples.cli.Clip2LatentCommand#commandLine()}.
 */
package io.github.clip2latent.examples.cli;
