package io.gyrosentinel.internal;

import io.gyrosentinel.GyroSentinelException;

/** Helpers for re-wrapping a {@link GyroSentinelException} in a message of its own. Not public API. */
public final class ErrorMessages {
    private ErrorMessages() {
    }

    /**
     * The message of {@code e} without the {@code [CODE] } prefix and the {@code  (field: f)} suffix that
     * {@link GyroSentinelException#getMessage()} adds, for embedding in another exception's message.
     */
    public static String detail(GyroSentinelException e) {
        String m = e.getMessage();
        String prefix = "[" + e.code() + "] ";
        if (m.startsWith(prefix)) {
            m = m.substring(prefix.length());
        }
        if (e.field() != null && !e.field().isEmpty()) {
            String suffix = " (field: " + e.field() + ")";
            if (m.endsWith(suffix)) {
                m = m.substring(0, m.length() - suffix.length());
            }
        }
        return m;
    }
}
