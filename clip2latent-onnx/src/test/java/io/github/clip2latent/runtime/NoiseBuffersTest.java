package io.github.clip2latent.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** Noise buffers: row-wise draws independent of grouping, zeros, copies of chosen rows. */
class NoiseBuffersTest {

    private static final int[] RES = {4, 8, 8};

    @Test
    void drawsDependOnTheRowNotOnHowRowsAreGrouped() {
        NoiseBuffers all = NoiseBuffers.allocate(RES, 5);
        all.fillNormal(new SplittableRandom(3), 5);
        NoiseBuffers part = NoiseBuffers.allocate(RES, 3);
        SplittableRandom random = new SplittableRandom(3);
        part.fillNormal(random, 3);
        float[][] first = {part.values(0), part.values(1), part.values(2)};
        part.fillNormal(random, 2);
        for (int i = 0; i < RES.length; i++) {
            int n = RES[i] * RES[i];
            float[] joined = new float[5 * n];
            System.arraycopy(first[i], 0, joined, 0, 3 * n);
            System.arraycopy(part.values(i), 0, joined, 3 * n, 2 * n);
            assertArrayEquals(all.values(i), joined, "layer " + i);
        }
        assertEquals(0f, all.constScale());
    }

    @Test
    void zerosShareOneBufferAndRefuseDraws() {
        NoiseBuffers z = NoiseBuffers.zeros(RES, 4, 1f);
        z.fillZeros(2, 1f);
        assertEquals(2, z.rows());
        assertArrayEquals(new float[2 * 64], z.values(2));
        assertEquals(1f, z.constScale());
        assertThrows(IllegalStateException.class, () -> z.fillNormal(new SplittableRandom(1), 2));
        assertThrows(IllegalArgumentException.class, () -> z.fillZeros(5, 0f));
    }

    @Test
    void copiedRowsEqualTheChosenSourceRows() {
        NoiseBuffers src = NoiseBuffers.allocate(RES, 4);
        src.fillNormal(new SplittableRandom(9), 4);
        NoiseBuffers dst = NoiseBuffers.allocate(RES, 2);
        dst.copyRows(src, new int[] {3, 1});
        for (int i = 0; i < RES.length; i++) {
            int n = RES[i] * RES[i];
            float[] s = src.values(i);
            float[] want = new float[2 * n];
            System.arraycopy(s, 3 * n, want, 0, n);
            System.arraycopy(s, n, want, n, n);
            assertArrayEquals(want, dst.values(i), "layer " + i);
        }
        assertEquals(2, dst.rows());
    }
}
