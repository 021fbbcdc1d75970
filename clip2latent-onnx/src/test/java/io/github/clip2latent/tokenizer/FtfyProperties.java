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

    /** The windowed search of isBad answers as one search over the whole text. */
    @Property(tries = 3000)
    void windowedBadnessSearchAgreesWithTheFullSearch(
            @ForAll
                    @Chars({
                        'a', 'z', 'A', 'Q', ' ', '.', ',', '?', '!', '\n', '1', '_',
                        '\u00c2', '\u00c3', '\u00ce', '\u00d0', '\u20ac', '\u0160', '\u0161',
                        '\u00a2', '\u00a3', '\u0178', '\u017e', '\u00a0', '\u00ad', '\u00ae',
                        '\u00a9', '\u00b0', '\u00b7', '\u00bb', '\u2013', '\u2014', '\u00b4',
                        '\u00d7', '\u00b2', '\u00b3', '\u00d8', '\u00d9', '\u00e0', '\u00e9',
                        '\u221a', '\u00b1', '\u2202', '\u2020', '\u2260', '\u2122', '\u2264',
                        '\u2248', '\u201a', '\u00c4', '\u00ac', '\u0432', '\u0402', '\u0412',
                        '\u0413', '\u0420', '\u0421', '\u045e', '\u03b2', '\u0392', '\u0393',
                        '\u039e', '\u039f', '\u0080', '\u0093', '\u0152', '\u0153', '\u00ec',
                        '\u03c0', '\u2022', '\u2026', '\u2502', '\u2019', '\u0391', '\u0430'
                    })
                    @StringLength(max = 12)
                    String text) {
        assertEquals(Ftfy.isBadFullSearch(text), Ftfy.isBad(text), text);
    }
}
