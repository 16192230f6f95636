package io.gyrosentinel.model;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds {@link InferenceEngineProvider}s on the class path. */
public final class InferenceEngines {
    private InferenceEngines() {
    }

    /**
     * The engines registered with {@link ServiceLoader} (in {@code META-INF/services}), loaded through the thread's
     * context class loader.
     *
     * @return a new list of the installed engines, in class path order; empty when none
     */
    public static List<InferenceEngineProvider> installed() {
        List<InferenceEngineProvider> l = new ArrayList<>();
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        ServiceLoader.load(InferenceEngineProvider.class, cl != null ? cl : InferenceEngines.class.getClassLoader())
                .forEach(l::add);
        return l;
    }

    /** {@return the first installed engine, or empty when none is installed} */
    public static Optional<InferenceEngineProvider> find() {
        List<InferenceEngineProvider> l = installed();
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /**
     * The first installed engine, or a clear error saying what to add.
     *
     * @return the engine
     * @throws GyroSentinelException {@link ErrorCode#UNSUPPORTED} when none is installed
     */
    public static InferenceEngineProvider require() {
        return find().orElseThrow(() -> new GyroSentinelException(ErrorCode.UNSUPPORTED,
                "no inference engine installed: add io.gyrosentinel:sdk-training (TensorFlow Lite runtime) to the "
                        + "class path"));
    }
}
