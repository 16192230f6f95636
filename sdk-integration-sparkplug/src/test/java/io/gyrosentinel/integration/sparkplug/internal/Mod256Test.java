package io.gyrosentinel.integration.sparkplug.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class Mod256Test {
    @Test
    void countsFromZeroAndWrapsAfter255() {
        Mod256 c = new Mod256();
        for (int i = 0; i < 256; i++) {
            assertEquals(i, c.next());
        }
        assertEquals(0, c.next(), "255 is followed by 0");
        assertEquals(1, c.next());
        for (int i = 2; i < 256 * 3 + 7; i++) {
            assertEquals(i % 256, c.next());
        }
    }

    @Test
    void resetStartsAgainAtZero() {
        Mod256 c = new Mod256();
        c.next();
        c.next();
        assertEquals(2, c.peek());
        c.reset();
        assertEquals(0, c.next());
        assertEquals(1, c.peek());
    }
}
