package io.gyrosentinel.training.packaging;

/** Numeric format of a packaged model. */
public enum Precision {
    /** float32 weights and activations (reference kernels on the device). */
    FLOAT32,
    /** Full-integer int8: per-tensor int8 weights, int32 biases, int8 activations (ESP-NN fully connected). */
    INT8;

    /** The manifest's spelling: {@code float32} or {@code int8}. */
    public String id() {
        return this == FLOAT32 ? "float32" : "int8";
    }
}
