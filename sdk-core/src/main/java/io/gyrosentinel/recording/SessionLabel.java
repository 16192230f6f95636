package io.gyrosentinel.recording;

/** What a session (or a run of samples) is known to be. */
public enum SessionLabel {
    UNLABELLED, NORMAL, ANOMALOUS;

    /** Parses {@code normal}, {@code anomalous}/{@code anomaly}/{@code abnormal}, {@code unlabelled}, 0/1. */
    public static SessionLabel parse(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "normal", "0", "ok", "false" -> NORMAL;
            case "anomalous", "anomaly", "abnormal", "1", "fault", "true" -> ANOMALOUS;
            case "", "unlabelled", "unlabeled", "none" -> UNLABELLED;
            default -> throw new IllegalArgumentException("unknown label '" + s
                    + "'; use normal or anomalous (or 0/1)");
        };
    }
}
