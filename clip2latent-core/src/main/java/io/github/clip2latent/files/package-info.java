/** Crash-safe file writing: complete content under the final name, or nothing. */
package io.github.clip2latent.files;
