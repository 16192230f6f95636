package io.gyrosentinel.model;

/**
 * Runs model bundles on the host, for the {@link io.gyrosentinel.sim.VirtualDevice} (so a
 * simulated device scores like a real one) and for host-side scoring. Found with
 * {@link java.util.ServiceLoader}; {@code io.gyrosentinel:sdk-training} provides one backed by a
 * real TensorFlow Lite runtime.
 */
public interface InferenceEngineProvider {
    /** {@return a short name for the engine, e.g. {@code "tflite"}} */
    String name();

    /**
     * Loads a bundle.
     *
     * @param bundle the model bundle
     * @return the loaded model; close it to free the engine's resources
     * @throws io.gyrosentinel.GyroSentinelException with {@code MODEL_LOAD_FAILED} when it cannot
     */
    DeviceModel load(ModelBundle bundle);
}
