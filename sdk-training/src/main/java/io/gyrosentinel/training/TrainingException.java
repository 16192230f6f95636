package io.gyrosentinel.training;

/** Training could not complete (e.g. the loss diverged, TensorFlow failed, the model could not be written). */
public class TrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingException(String message) {
        super(message);
    }

    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
