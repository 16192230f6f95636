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
        /** The TFLite runtime could not be loaded or failed. */
        RUNTIME
    }

    private final Reason reason;

    public PackagingException(Reason reason, String message) {
        this(reason, message, null);
    }

    public PackagingException(Reason reason, String message, Throwable cause) {
        super(switch (reason) {
            case UNSUPPORTED_ARCHITECTURE, UNSUPPORTED_OP -> ErrorCode.UNSUPPORTED;
            case RUNTIME -> ErrorCode.INTERNAL;
            default -> ErrorCode.BAD_INPUT;
        }, reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
