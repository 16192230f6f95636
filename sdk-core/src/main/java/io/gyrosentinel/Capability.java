package io.gyrosentinel;

/** Features a device announces in its {@link DeviceInfo}. */
public enum Capability {
    STREAMING, INFERENCE, MODEL_TRANSFER, SIGNED_MODELS, CALIBRATION, SENSOR_TIMESTAMPS
}
