package io.gyrosentinel.training;

/** Training could not complete (e.g. the loss diverged, TensorFlow failed, the model could not be written). */
public class TrainingException extends io.gyrosentinel.GyroSentinelException {
    private static final long serialVersionUID = 1L;

    public TrainingException(String message) {
        super(io.gyrosentinel.ErrorCode.INTERNAL, message);
    }

    public TrainingException(String message, Throwable cause) {
        super(io.gyrosentinel.ErrorCode.INTERNAL, message, cause);
    }
}
