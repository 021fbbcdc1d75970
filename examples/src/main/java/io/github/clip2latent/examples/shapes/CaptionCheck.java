package io.github.clip2latent.examples.shapes;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The outcome of checking a caption against the true attributes of an image.
 *
 * @param named the attributes the caption names, never empty
 * @param confirmed the named attributes that the truth confirms
 */
public record CaptionCheck(Set<CaptionAttribute> named, Set<CaptionAttribute> confirmed) {

    /**
     * Validates that {@code confirmed} is a subset of the non-empty {@code named}, and copies both.
     */
    public CaptionCheck {
        Objects.requireNonNull(named, "named");
        Objects.requireNonNull(confirmed, "confirmed");
        if (named.isEmpty()) {
            throw new IllegalArgumentException("a check needs at least one named attribute");
        }
        if (!named.containsAll(confirmed)) {
            throw new IllegalArgumentException(
                    "confirmed " + confirmed + " is not a subset of named " + named);
        }
        named = Collections.unmodifiableSet(EnumSet.copyOf(named));
        confirmed =
                Collections.unmodifiableSet(
                        confirmed.isEmpty()
                                ? EnumSet.noneOf(CaptionAttribute.class)
                                : EnumSet.copyOf(confirmed));
    }

    /**
     * The share of named attributes the truth confirms, the quality benchmark's per-image score.
     *
     * @return confirmed / named, in [0, 1]
     */
    public double fraction() {
        return (double) confirmed.size() / named.size();
    }

    /**
     * Whether every named attribute is confirmed.
     *
     * @return true when nothing named is wrong
     */
    public boolean allConfirmed() {
        return confirmed.size() == named.size();
    }
}
