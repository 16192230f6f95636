package io.gyrosentinel;

import java.util.Objects;

/**
 * The one root of every exception the SDK throws. Unchecked; {@link #code()} says what kind of
 * failure it is, the message says what happened and, where possible, what to do.
 */
public class GyroSentinelException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;
    private final String field;

    public GyroSentinelException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public GyroSentinelException(ErrorCode code, String message, Throwable cause) {
        this(code, message, null, cause);
    }

    public GyroSentinelException(ErrorCode code, String message, String field, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.field = field;
    }

    public ErrorCode code() {
        return code;
    }

    /**
     * What happened, without the {@code [CODE] } prefix and the {@code  (field: f)} suffix that
     * {@link #getMessage()} adds: for embedding in another message.
     */
    public String detail() {
        return super.getMessage();
    }

    /** The offending field named by the device or the validator, or {@code null}. */
    public String field() {
        return field;
    }

    @Override
    public String getMessage() {
        String m = super.getMessage();
        return "[" + code + "] " + m + (field == null || field.isEmpty() ? "" : " (field: " + field + ")");
    }
}
