package io.gyrosentinel.recording;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

/** What a session (or a run of samples) is known to be. */
public enum SessionLabel {
    UNLABELLED, NORMAL, ANOMALOUS;

    /**
     * Parses {@code normal}, {@code anomalous}/{@code anomaly}/{@code abnormal}, {@code unlabelled}, 0/1.
     *
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code label}) for anything else
     */
    public static SessionLabel parse(String s) {
        SessionLabel l = lookup(s);
        if (l == null) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, unknown(s), "label", null);
        }
        return l;
    }

    /** The label {@code s} names, or {@code null}. */
    static SessionLabel lookup(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "normal", "0", "ok", "false" -> NORMAL;
            case "anomalous", "anomaly", "abnormal", "1", "fault", "true" -> ANOMALOUS;
            case "", "unlabelled", "unlabeled", "none" -> UNLABELLED;
            default -> null;
        };
    }

    /** What {@link #parse(String)} says about a string it does not know. */
    static String unknown(String s) {
        return "unknown label '" + s + "'; use normal or anomalous (or 0/1)";
    }
}
