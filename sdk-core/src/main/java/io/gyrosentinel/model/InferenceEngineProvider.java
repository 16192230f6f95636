package io.gyrosentinel.model;

/**
 * Runs model bundles on the host, for the {@link io.gyrosentinel.sim.VirtualDevice} (so a
 * simulated device scores like a real one) and for host-side scoring. Found with
 * {@link java.util.ServiceLoader}; {@code io.gyrosentinel:sdk-training} provides one backed by a
 * real TensorFlow Lite runtime.
 */
public interface InferenceEngineProvider {
    /** Short name, e.g. "tflite". */
    String name();

    /**
     * Loads a bundle.
     *
     * @throws io.gyrosentinel.GyroSentinelException with {@code MODEL_LOAD_FAILED} when it cannot
     */
    DeviceModel load(ModelBundle bundle);
}
