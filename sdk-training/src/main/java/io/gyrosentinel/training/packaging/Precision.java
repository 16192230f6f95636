package io.gyrosentinel.training.packaging;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

/** Numeric format of a packaged model. */
public enum Precision {
    /** float32 weights and activations (reference kernels on the device; the ESP32-S3 has an FPU). */
    FLOAT32("float32"),
    /**
     * Full-integer int8: int8 activations (input and output included, asymmetric per tensor), per-tensor int8
     * weights and int32 biases. ESP-NN accelerates its FULLY_CONNECTED, ADD and MUL on the ESP32-S3. Passes
     * verification with few recurrent steps only (the default model's 5); {@link ModelPackager} falls back to
     * {@link #INT16X8} when it fails, unless told not to.
     */
    INT8("int8"),
    /**
     * TFLite's "16x8" full-integer scheme: per-tensor int8 weights, int64 biases, int16 activations (input and
     * output included). Reference int16 kernels on TFLite Micro (ESP-NN has no int16 path); far less rounding
     * error than {@link #INT8}.
     */
    INT16X8("int16x8");

    private final String id;

    Precision(String id) {
        this.id = id;
    }

    /** {@return the manifest's and CLI's spelling: {@code float32}, {@code int8} or {@code int16x8}} */
    public String id() {
        return id;
    }

    /**
     * The precision spelled {@code id} (case-insensitive), or null.
     *
     * @param id the spelling, e.g. {@code int8}
     * @return the precision, or {@code null} when {@code id} names none
     */
    public static Precision fromId(String id) {
        for (Precision p : values()) {
            if (p.id.equalsIgnoreCase(id)) {
                return p;
            }
        }
        return null;
    }

    /**
     * The precision of a {@code .tflite} model, from the type of its input tensor (float32, int16 or int8) — what
     * the firmware goes by. Bundles packaged before 2026-11-25 call their int16x8 model "int8" in the manifest;
     * this reads the model itself.
     *
     * @param tflite the {@code .tflite} file's bytes
     * @return the precision matching the model's input tensor type
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if it is not a TFLite model with such an input
     */
    public static Precision of(byte[] tflite) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(tflite);
        if (tflite.length < 8 || !org.tensorflow.lite.schema.Model.ModelBufferHasIdentifier(bb)) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "not a TFLite model (no TFL3 identifier)");
        }
        org.tensorflow.lite.schema.SubGraph sg = org.tensorflow.lite.schema.Model.getRootAsModel(bb).subgraphs(0);
        byte type = sg.tensors(sg.inputs(0)).type();
        return switch (type) {
            case org.tensorflow.lite.schema.TensorType.FLOAT32 -> FLOAT32;
            case org.tensorflow.lite.schema.TensorType.INT16 -> INT16X8;
            case org.tensorflow.lite.schema.TensorType.INT8 -> INT8;
            default -> throw new GyroSentinelException(ErrorCode.BAD_INPUT, "the model's input tensor has type "
                    + org.tensorflow.lite.schema.TensorType.name(type) + "; GyroSentinel models take float32, int16 or "
                    + "int8");
        };
    }

    /** {@return whether this is an integer (quantised) format} */
    public boolean quantized() {
        return this != FLOAT32;
    }
}
