package io.gyrosentinel.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition in a test, with a generous deadline instead of a fixed sleep. */
public final class Await {
    private Await() {
    }

    /**
     * Polls every 20 ms until the condition holds.
     *
     * @throws AssertionError naming {@code what} when the deadline passes first
     */
    public static void until(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
