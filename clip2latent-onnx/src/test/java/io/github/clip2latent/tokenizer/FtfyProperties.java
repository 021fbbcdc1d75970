package io.github.clip2latent.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;

class FtfyProperties {

    /** The plain-ASCII shortcut of fixText returns what the full fixers would. */
    @Property(tries = 1000)
    void plainAsciiShortcutAgreesWithTheFixers(
            @ForAll @CharRange(from = ' ', to = '~') @Chars({'\t', '\n'}) @StringLength(max = 80)
                    String text) {
        // About one string in three holds an '&' and takes the full path instead.
        if (Ftfy.isPlainAscii(text)) {
            assertEquals(text, Ftfy.fixSegment(text, true));
        }
    }
}
