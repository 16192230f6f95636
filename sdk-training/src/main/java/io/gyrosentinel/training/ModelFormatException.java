package io.gyrosentinel.training;

import java.nio.file.Path;

/** A model directory is missing, corrupted or written by an incompatible version. Says which file and field. */
public class ModelFormatException extends io.gyrosentinel.GyroSentinelException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public ModelFormatException(Path file, String message) {
        this(file, message, null);
    }

    public ModelFormatException(Path file, String message, Throwable cause) {
        super(io.gyrosentinel.ErrorCode.BAD_INPUT, file + ": " + message, null, cause);
        this.file = file;
    }

    /** The file that is wrong. */
    public Path file() {
        return file;
    }
}
