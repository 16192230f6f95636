package io.gyrosentinel.training.packaging;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

/**
 * Packaging refused to produce a bundle. Nothing was written when this is thrown. {@link #reason()} says
 * which stage failed; the message says what was found and what to do.
 */
public class PackagingException extends GyroSentinelException {
    private static final long serialVersionUID = 1L;

    /** Which stage refused. */
    public enum Reason {
        /** The model's shape is outside what the packager and the device support. */
        UNSUPPORTED_ARCHITECTURE,
        /** The written model contains an op, version or type TFLite Micro would not load. */
        UNSUPPORTED_OP,
        /** The packaged model does not reproduce the trainer's results within the tolerances. */
        VERIFICATION_FAILED,
        /** The manifest does not fit the protocol's 1024 bytes. */
        MANIFEST_TOO_LARGE,
        /** Bad arguments (windows, ids, keys). */
        BAD_INPUT,
        /** The TFLite runtime failed (or a host tool it runs did). */
        RUNTIME,
        /**
         * The TFLite runtime's native library is not there for this platform, or did not load; the message names the
         * platform and the artifact to add ({@link io.gyrosentinel.ErrorCode#UNSUPPORTED}).
         */
        NATIVE_LIBRARY
    }

    /** Which stage refused. */
    private final Reason reason;

    /**
     * An exception whose code follows from the reason ({@code UNSUPPORTED} for an unsupported architecture or op and
     * a missing native library, {@code INTERNAL} for a runtime failure, {@code BAD_INPUT} otherwise).
     *
     * @param reason  which stage refused
     * @param message what was found and what to do
     */
    public PackagingException(Reason reason, String message) {
        this(reason, message, null);
    }

    /**
     * An exception caused by another one; the code follows from the reason as for
     * {@link #PackagingException(Reason, String)}.
     *
     * @param reason  which stage refused
     * @param message what was found and what to do
     * @param cause   the underlying exception, or {@code null}
     */
    public PackagingException(Reason reason, String message, Throwable cause) {
        super(switch (reason) {
            case UNSUPPORTED_ARCHITECTURE, UNSUPPORTED_OP, NATIVE_LIBRARY -> ErrorCode.UNSUPPORTED;
            case RUNTIME -> ErrorCode.INTERNAL;
            default -> ErrorCode.BAD_INPUT;
        }, reason + ": " + message, cause);
        this.reason = reason;
    }

    /** {@return which stage refused} */
    public Reason reason() {
        return reason;
    }
}
