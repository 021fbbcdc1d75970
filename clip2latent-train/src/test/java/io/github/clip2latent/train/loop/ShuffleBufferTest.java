package io.github.clip2latent.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

class ShuffleBufferTest {

    @Test
    void everyRowIsStreamedInOncePerPass() {
        // Rows drawn plus rows still buffered = rows streamed in, which is 1 + draws / size each
        // when the draws are a whole number of passes.
        ShuffleBuffer buffer = new ShuffleBuffer(4, 10);
        SplittableRandom random = new SplittableRandom(1);
        int[] counts = new int[10];
        for (int i = 0; i < 1000; i++) {
            counts[(int) buffer.next(random)]++;
        }
        for (long slot : buffer.state().slots()) {
            counts[(int) slot]++;
        }
        int[] expected = new int[10];
        for (int r = 0; r < 10; r++) {
            // 4 initial rows + 1000 refills = 1004 streamed: rows 0..3 get 101, rows 4..9 get 100.
            expected[r] = r < 4 ? 101 : 100;
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, counts);
        assertEquals(1004, buffer.state().cursor());
    }

    @Test
    void restoredBufferContinuesIdentically() {
        ShuffleBuffer a = new ShuffleBuffer(4, 17);
        SplittableRandom warmup = new SplittableRandom(3);
        for (int i = 0; i < 25; i++) {
            a.next(warmup);
        }
        ShuffleBuffer b = ShuffleBuffer.restore(a.state());
        SplittableRandom x = new SplittableRandom(99);
        SplittableRandom y = new SplittableRandom(99);
        for (int i = 0; i < 50; i++) {
            assertEquals(a.next(x), b.next(y));
        }
    }
}
