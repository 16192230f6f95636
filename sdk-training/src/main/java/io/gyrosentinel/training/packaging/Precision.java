package io.gyrosentinel.training.packaging;

/** Numeric format of a packaged model. */
public enum Precision {
    /** float32 weights and activations (reference kernels on the device). */
    FLOAT32,
    /**
     * Full-integer with int8 weights: TFLite's "16x8" scheme — per-tensor int8 weights, int64 biases, int16
     * activations including the model's input and output (reference int16 kernels on TFLite Micro). The manifest
     * keeps the id {@code int8} (the weight format); a loader reads the tensor types from the model.
     */
    INT8;

    /** The manifest's spelling: {@code float32} or {@code int8}. */
    public String id() {
        return this == FLOAT32 ? "float32" : "int8";
    }
}
