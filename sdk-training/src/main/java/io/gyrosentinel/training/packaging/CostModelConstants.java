package io.gyrosentinel.training.packaging;

/** Cycle-model constants of {@link CostCard} (ESP32-S3, 240 MHz). */
public final class CostModelConstants {
    private CostModelConstants() {
    }

    /** int8 FULLY_CONNECTED with ESP-NN, cycles/MAC (espressif/esp-nn README). */
    public static final double INT8_FC_ESPNN = 1.3;
    /** int8 FULLY_CONNECTED, reference kernel, cycles/MAC (espressif/esp-nn README). */
    public static final double INT8_FC_REF = 10.4;
    /** float32 FULLY_CONNECTED, cycles/MAC (assumption). */
    public static final double FLOAT_FC = 6.0;
    /** int8 LOGISTIC/TANH reference kernels, cycles/element (assumption). */
    public static final double INT8_ACT = 150.0;
    /** float LOGISTIC/TANH, cycles/element (assumption). */
    public static final double FLOAT_ACT = 120.0;
    /** int8 LOGISTIC/TANH as a 256-entry lookup table, cycles/element (assumption). */
    public static final double LUT_ACT = 4.0;
    /** int8 ADD/MUL (ESP-NN), cycles/element (assumption). */
    public static final double INT8_ELTWISE = 3.0;
    /** float ADD/MUL, cycles/element (assumption). */
    public static final double FLOAT_ELTWISE = 4.0;
    /** SPLIT/CONCATENATION copy, cycles/byte (assumption). */
    public static final double COPY_PER_BYTE = 0.5;
    /** TFLM per-op dispatch, cycles (assumption). */
    public static final double PER_OP = 150.0;
    /** TFLM per-invoke overhead, cycles (assumption). */
    public static final double PER_INVOKE = 2000.0;
}
