package io.gyrosentinel.training.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * TensorFlow's C++ logging writes to stderr (oneDNN notices, "Calling Java gradient function …" for every LSTM
 * gradient) whatever the application's logging says. Before TensorFlow loads, this sets {@code
 * TF_CPP_MIN_LOG_LEVEL=2} (only errors of TensorFlow's C++ code still print) in the
 * process environment, where TensorFlow reads it — unless the user has set it, or asked for the logs with
 * {@code -Dgyrosentinel.tensorflow.logs=true}. The library never prints to stdout or stderr by itself.
 */
final class QuietNativeLogs {
    private static final AtomicBoolean DONE = new AtomicBoolean();
    static final String VARIABLE = "TF_CPP_MIN_LOG_LEVEL";

    private QuietNativeLogs() {
    }

    interface Posix extends Library {
        int setenv(String name, String value, int overwrite);
    }

    interface Msvcrt extends Library {
        int _putenv_s(String name, String value);
    }

    /** Sets the variable once per JVM, before the first use of TensorFlow; a failure leaves the logs on. */
    static void apply() {
        if (!DONE.compareAndSet(false, true) || Boolean.getBoolean("gyrosentinel.tensorflow.logs")
                || System.getenv(VARIABLE) != null) {
            return;
        }
        try {
            if (Platform.isWindows()) {
                Native.load("msvcrt", Msvcrt.class)._putenv_s(VARIABLE, "2");
            } else {
                Native.load("c", Posix.class).setenv(VARIABLE, "2", 0);
            }
        } catch (LinkageError | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(QuietNativeLogs.class)
                    .debug("could not set {} ({}); TensorFlow may write to stderr", VARIABLE, e.toString());
        }
    }
}
