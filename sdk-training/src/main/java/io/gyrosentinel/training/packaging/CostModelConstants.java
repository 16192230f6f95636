package io.gyrosentinel.training.packaging;

/**
 * Cycle-model constants of {@link CostCard} (ESP32-S3, 240 MHz, esp-tflite-micro kernels as the firmware
 * registers them in {@code esp32-component/src/port/esp32/gs_model_tflm.cc}). Every figure says where it comes
 * from: a published measurement, or a count of the operations of the named TFLite Micro kernel source (paths in
 * github.com/tensorflow/tflite-micro unless stated). Counted figures assume ~1 cycle per ALU/load instruction
 * plus loop overhead and are to be replaced by on-device measurements.
 */
public final class CostModelConstants {
    private CostModelConstants() {
    }

    /**
     * int8 FULLY_CONNECTED with ESP-NN ({@code esp_nn_fully_connected_s8}), cycles/MAC: espressif/esp-nn README,
     * ESP32-S3 "fully connected, len: 265, ch = 3": 4439 ticks / 795 MACs = 5.6. (The 1.3 previously used here
     * is the 1x1 convolution row, 461,398 ticks / 409,600 MACs; ESP-NN's FC does not reach it, least of all for
     * this model's accumulation depths of 3 to 40.) An older copy of the same README (vendored in
     * arendst/Tasmota, lib/libesp32_ml/tf_lite_esp32/src/esp-nn/README.md) lists 9547 ticks for that row, 12.0
     * cycles/MAC: the figure is uncertain by 2x, which is why on-device timing is logged by the firmware. Used
     * for {@link Precision#INT8}; the int16x8 model runs on the reference kernel instead
     * ({@code tensorflow/lite/micro/kernels/esp_nn/fully_connected.cc}, case kTfLiteInt16).
     */
    public static final double INT8_FC_ESPNN = 5.6;
    /** int8 FULLY_CONNECTED, ANSI C, cycles/MAC: espressif/esp-nn README, same row: 12290 / 795 = 15.5. */
    public static final double INT8_FC_REF = 15.5;
    /**
     * 16x8 FULLY_CONNECTED (int16 input, int8 filter, int64 bias), cycles/MAC: the reference kernel
     * {@code tensorflow/lite/kernels/internal/reference/integer_ops/fully_connected.h}
     * ({@code FullyConnected<int64_t>}: {@code acc += (filter_val + filter_offset) * input_val} into an int64
     * accumulator) = the measured ANSI C int8 loop (15.5) plus the 64-bit accumulate (sign-extend, add, carry,
     * add: ~3 instructions on the 32-bit LX7).
     */
    public static final double INT16_FC_REF = 18.0;
    /**
     * Per FULLY_CONNECTED output element of the integer kernels, cycles: bias add, {@code
     * MultiplyByQuantizedMultiplier} on the int64 accumulator (common.h: 64-bit multiply, rounding, shift),
     * clamp, store.
     */
    public static final double INT_FC_PER_OUTPUT = 40.0;
    /** float32 FULLY_CONNECTED, cycles/MAC (assumption: reference loop, FPU madd.s latency bound; no ESP-NN). */
    public static final double FLOAT_FC = 6.0;
    /** Per float FULLY_CONNECTED output element (bias add, activation clamp, store), cycles. */
    public static final double FLOAT_FC_PER_OUTPUT = 8.0;
    /**
     * int16 LOGISTIC/TANH, cycles/element: {@code tensorflow/lite/micro/kernels/logistic.cc} and {@code tanh.cc}
     * call {@code reference_integer_ops::Logistic/Tanh} for int16 ({@code
     * tensorflow/lite/kernels/internal/reference/integer_ops/logistic.h}, {@code tanh.h}), which already are a
     * 256-entry table ({@code sigmoid_table_uint16}) with linear interpolation: input multiply + round + shift,
     * abs, index shift, saturation compare, two table loads, fraction mask, interpolation multiply-add, sign
     * fold, shift, store: ~18 operations.
     */
    public static final double INT16_ACT = 20.0;
    /**
     * int8 LOGISTIC/TANH, cycles/element: {@code reference_integer_ops::Logistic} for int8 (logistic.h) is
     * {@code gemmlowp::logistic} on Q4.27 fixed point ({@code exp_on_negative_values}, {@code
     * one_over_one_plus_x_for_x_in_0_1}: ~17 saturating rounding doubling high multiplies with 64-bit products,
     * selects, shifts); TANH ({@code gemmlowp::tanh}) is the same shape. Measured: esp-tflite-micro 1.4.0's
     * kernels, run on the host on the default int8 model under valgrind (callgrind), execute 430 (LOGISTIC) and
     * 452 (TANH) x86-64 instructions per element; the 32-bit LX7 needs at least as many for the 64-bit
     * products. (The 250 counted from the source before that measurement was low.)
     */
    public static final double INT8_ACT = 440.0;
    /** float LOGISTIC/TANH, cycles/element (assumption: newlib expf/tanhf plus a software divide). */
    public static final double FLOAT_ACT = 120.0;
    /**
     * int16 ADD, cycles/element: {@code tensorflow/lite/micro/kernels/add.cc} → {@code reference_integer_ops::Add}
     * for int16 (no ESP-NN path): two input rescales ({@code MultiplyByQuantizedMultiplierSmallerThanOneExp},
     * SRDHM + rounding shift each), add, output rescale, clamp: 3 SRDHM at ~11 plus ~12.
     */
    public static final double INT16_ADD = 45.0;
    /**
     * int16 MUL, cycles/element: {@code tensorflow/lite/micro/kernels/mul_common.cc} → {@code
     * reference_integer_ops::MulElementwise} for int16: product, one {@code MultiplyByQuantizedMultiplier}, clamp.
     */
    public static final double INT16_MUL = 22.0;
    /** int8 ADD with ESP-NN, cycles/element: esp-nn README elementwise_add 71644 / 1615 = 44.4 (external memory). */
    public static final double INT8_ADD_ESPNN = 44.4;
    /** int8 MUL with ESP-NN, cycles/element: esp-nn README elementwise_mul 30950 / 1615 = 19.2. */
    public static final double INT8_MUL_ESPNN = 19.2;
    /** float ADD/MUL, cycles/element (assumption: load, load, add.s/mul.s, store). */
    public static final double FLOAT_ELTWISE = 4.0;
    /**
     * SPLIT / CONCATENATION, cycles per element copied: {@code tensorflow/lite/micro/kernels/split.cc} and
     * {@code concatenation.cc} copy with a typed element loop (load, store, loop): ~2 cycles.
     */
    public static final double COPY_PER_ELEMENT = 2.0;
    /**
     * TFLM dispatch, cycles per op: {@code MicroInterpreterGraph::InvokeSubgraph} (node/registration fetch,
     * invoke through a function pointer) and the kernel's Eval prologue ({@code GetEvalInput/Output} for 2-3
     * tensors, a {@code RuntimeShape} per tensor, params fetch). Counted estimate.
     */
    public static final double PER_OP = 150.0;
    /** TFLM per-invoke overhead ({@code MicroInterpreter::Invoke}, input copy), cycles (assumption). */
    public static final double PER_INVOKE = 2000.0;
}
