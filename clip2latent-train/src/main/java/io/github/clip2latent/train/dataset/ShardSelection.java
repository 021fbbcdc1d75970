package io.github.clip2latent.train.dataset;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Which shards this machine generates: those with {@code shard % count == index}, so that {@code
 * count} machines split one dataset with no overlap.
 *
 * @param index this machine's index, in [0, count)
 * @param count the number of machines
 */
public record ShardSelection(int index, int count) {

    /** Every shard. */
    public static final ShardSelection ALL = new ShardSelection(0, 1);

    /** Validates. */
    public ShardSelection {
        checkArgument(
                count >= 1 && index >= 0 && index < count,
                "shard selection must be i/n with 0 <= i < n, got %s/%s",
                index,
                count);
    }

    /**
     * Parses {@code "i/n"}.
     *
     * @throws IllegalArgumentException naming the text
     */
    public static ShardSelection parse(String text) {
        String[] parts = text.trim().split("/");
        checkArgument(
                parts.length == 2, "shard selection must look like i/n (e.g. 0/4), got '%s'", text);
        try {
            return new ShardSelection(
                    Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "shard selection must look like i/n (e.g. 0/4), got '" + text + "'", e);
        }
    }

    /** Whether this machine generates {@code shard}. */
    public boolean includes(int shard) {
        return shard % count == index;
    }
}
