package io.gyrosentinel.training;

/** Training could not complete (e.g. the loss diverged, TensorFlow failed, the model could not be written). */
public class TrainingException extends io.gyrosentinel.GyroSentinelException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with code {@link io.gyrosentinel.ErrorCode#INTERNAL}.
     *
     * @param message what went wrong
     */
    public TrainingException(String message) {
        super(io.gyrosentinel.ErrorCode.INTERNAL, message);
    }

    /**
     * An exception with code {@link io.gyrosentinel.ErrorCode#INTERNAL}, caused by another one.
     *
     * @param message what went wrong
     * @param cause   the underlying exception
     */
    public TrainingException(String message, Throwable cause) {
        super(io.gyrosentinel.ErrorCode.INTERNAL, message, cause);
    }
}
