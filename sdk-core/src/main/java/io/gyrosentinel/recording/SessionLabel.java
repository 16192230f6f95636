package io.gyrosentinel.recording;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

/** What a session (or a run of samples) is known to be. */
public enum SessionLabel {
    /** Not known (the default). */
    UNLABELLED,
    /** The machine ran normally. */
    NORMAL,
    /** The machine was faulty or behaved abnormally. */
    ANOMALOUS;

    /**
     * Parses a label as people write it: {@code normal}, {@code anomalous}/{@code anomaly}/{@code abnormal}/
     * {@code fault}, {@code unlabelled}, 0/1 in any numeric spelling, true/false, yes/no; any case.
     *
     * @param s the text, e.g. {@code Normal}, {@code 1.0}, {@code yes}
     * @return the label
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code label}) for anything else
     */
    public static SessionLabel parse(String s) {
        SessionLabel l = lookup(s);
        if (l == null) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, unknown(s), "label", null);
        }
        return l;
    }

    /**
     * The label {@code s} names, or {@code null}: any case, surrounding spaces ignored; 0/1 in any numeric spelling
     * ({@code 0.0}, {@code 1.000}, {@code +1}, as pandas writes a float column).
     *
     * @param s the text, not {@code null}
     * @return the label, or {@code null} when {@code s} names none
     */
    public static SessionLabel lookup(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        SessionLabel named = switch (v) {
            case "normal", "ok", "good", "false", "no", "n", "f", "healthy" -> NORMAL;
            case "anomalous", "anomaly", "abnormal", "fault", "faulty", "failure", "true", "yes", "y", "t" -> ANOMALOUS;
            case "", "unlabelled", "unlabeled", "none", "unknown" -> UNLABELLED;
            default -> null;
        };
        if (named != null || v.isEmpty() || "+-.0123456789".indexOf(v.charAt(0)) < 0) {
            return named;
        }
        try {
            double d = Double.parseDouble(v);
            return d == 0 ? NORMAL : d == 1 ? ANOMALOUS : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * What {@link #parse(String)} says about a string it does not know.
     *
     * @param s the string that is not a label
     * @return an error message listing the accepted spellings
     */
    public static String unknown(String s) {
        return "unknown label '" + s + "'; use normal/anomalous (also anomaly, abnormal, fault), 0/1 (also 0.0/1.0), "
                + "true/false or yes/no, in any case";
    }
}
