package io.gyrosentinel;

/** Features a device announces in its {@link DeviceInfo}. */
public enum Capability {
    /** The device streams samples ({@code StartStreaming}). */
    STREAMING,
    /** The device runs a model on the samples and sends inference results and anomaly events. */
    INFERENCE,
    /** The device accepts model bundles ({@code ModelBegin}/{@code ModelChunk}/{@code ModelCommit}, two slots). */
    MODEL_TRANSFER,
    /** The device has a signing key and accepts only models signed by it. */
    SIGNED_MODELS,
    /** The device calibrates its active model on normal data ({@code Calibrate}). */
    CALIBRATION,
    /** Sample timestamps come from the sensor's own clock. */
    SENSOR_TIMESTAMPS
}
