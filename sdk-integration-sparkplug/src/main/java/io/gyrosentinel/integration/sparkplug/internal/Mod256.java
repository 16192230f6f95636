package io.gyrosentinel.integration.sparkplug.internal;

/**
 * A Sparkplug sequence counter, 0..255 then back to 0: the message {@code seq} of an edge node (reset to 0 by each
 * NBIRTH) and the {@code bdSeq} of its MQTT sessions (one per CONNECT, starting at 0). Not thread-safe: the edge
 * node uses it from its one thread.
 */
public final class Mod256 {
    private int next;

    /** {@return the value to use now; the following call returns the one after it, 255 followed by 0} */
    public int next() {
        int v = next;
        next = (next + 1) & 0xFF;
        return v;
    }

    /** {@return the value the next {@link #next()} returns} */
    public int peek() {
        return next;
    }

    /** The next {@link #next()} returns 0. */
    public void reset() {
        next = 0;
    }
}
