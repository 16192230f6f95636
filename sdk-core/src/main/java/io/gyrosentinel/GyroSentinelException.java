package io.gyrosentinel;

import java.util.Objects;

/**
 * The one root of every exception the SDK throws. Unchecked; {@link #code()} says what kind of
 * failure it is, the message says what happened and, where possible, what to do.
 */
public class GyroSentinelException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** What kind of failure; never {@code null}. */
    private final ErrorCode code;
    /** The offending request field, or {@code null}. */
    private final String field;

    /**
     * An exception without a field or cause.
     *
     * @param code    what kind of failure, not {@code null}
     * @param message what happened and, where possible, what to do
     */
    public GyroSentinelException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    /**
     * An exception caused by another one.
     *
     * @param code    what kind of failure, not {@code null}
     * @param message what happened and, where possible, what to do
     * @param cause   the underlying exception, or {@code null}
     */
    public GyroSentinelException(ErrorCode code, String message, Throwable cause) {
        this(code, message, null, cause);
    }

    /**
     * An exception naming the request field at fault.
     *
     * @param code    what kind of failure, not {@code null}
     * @param message what happened and, where possible, what to do
     * @param field   the offending field (e.g. {@code configure.odr_hz}), or {@code null}
     * @param cause   the underlying exception, or {@code null}
     * @throws NullPointerException if {@code code} is {@code null}
     */
    public GyroSentinelException(ErrorCode code, String message, String field, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.field = field;
    }

    /** {@return what kind of failure this is; never {@code null}} */
    public ErrorCode code() {
        return code;
    }

    /**
     * What happened, without the {@code [CODE] } prefix and the {@code  (field: f)} suffix that
     * {@link #getMessage()} adds: for embedding in another message.
     *
     * @return the message as given to the constructor
     */
    public String detail() {
        return super.getMessage();
    }

    /** {@return the offending field named by the device or the validator, or {@code null}} */
    public String field() {
        return field;
    }

    @Override
    public String getMessage() {
        String m = super.getMessage();
        return "[" + code + "] " + m + (field == null || field.isEmpty() ? "" : " (field: " + field + ")");
    }
}
