package io.gyrosentinel.training;

import java.nio.file.Path;

/** A model directory is missing, corrupted or written by an incompatible version. Says which file and field. */
public class ModelFormatException extends io.gyrosentinel.GyroSentinelException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    /**
     * An exception about a file, with code {@link io.gyrosentinel.ErrorCode#BAD_INPUT}.
     *
     * @param file    the file that is wrong
     * @param message what is wrong with it (the file is prepended)
     */
    public ModelFormatException(Path file, String message) {
        this(file, message, null);
    }

    /**
     * An exception about a file, with code {@link io.gyrosentinel.ErrorCode#BAD_INPUT}, caused by another one.
     *
     * @param file    the file that is wrong
     * @param message what is wrong with it (the file is prepended)
     * @param cause   the underlying exception, or {@code null}
     */
    public ModelFormatException(Path file, String message, Throwable cause) {
        super(io.gyrosentinel.ErrorCode.BAD_INPUT, file + ": " + message, null, cause);
        this.file = file;
    }

    /** {@return the file that is wrong (not serialized: {@code null} after deserialization)} */
    public Path file() {
        return file;
    }
}
