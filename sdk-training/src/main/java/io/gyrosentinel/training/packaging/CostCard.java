package io.gyrosentinel.training.packaging;

/**
 * What one packaged model costs on an ESP32-S3 (240 MHz), estimated from the graph's op list.
 *
 * <p>Cycle model (per element or MAC; only the FULLY_CONNECTED figures are published, the others are
 * stated assumptions to be replaced by on-device measurements):
 * <ul>
 *   <li>int8 FULLY_CONNECTED with ESP-NN: 1.3 cycles/MAC; without ESP-NN (reference C kernel): 10.4 cycles/MAC —
 *       espressif/esp-nn README, ESP32-S3 figures.</li>
 *   <li>float32 FULLY_CONNECTED: {@value CostModelConstants#FLOAT_FC} cycles/MAC (assumption: reference loop,
 *       FPU multiply-add latency bound; ESP-NN has no float path).</li>
 *   <li>LOGISTIC/TANH: int8 reference kernels (gemmlowp fixed-point exp + reciprocal, ~20 saturating 64-bit
 *       multiplies) {@value CostModelConstants#INT8_ACT} cycles/element; float (newlib expf/tanhf)
 *       {@value CostModelConstants#FLOAT_ACT}; an int8 256-entry lookup-table kernel registered in the
 *       firmware's op resolver in place of the reference one {@value CostModelConstants#LUT_ACT} (see
 *       {@link #lutCyclesPerWindow}).</li>
 *   <li>ADD/MUL: int8 (ESP-NN) {@value CostModelConstants#INT8_ELTWISE}, float {@value CostModelConstants#FLOAT_ELTWISE}
 *       cycles/element; SPLIT/CONCATENATION copies {@value CostModelConstants#COPY_PER_BYTE} cycles/byte.</li>
 *   <li>TFLM dispatch {@value CostModelConstants#PER_OP} cycles per op and {@value CostModelConstants#PER_INVOKE}
 *       per invoke.</li>
 * </ul>
 *
 * @param precision            "float32" or "int8"
 * @param layout               how the firmware runs it (see {@link ModelPackager})
 * @param stride               samples between two invokes (one window score per stride)
 * @param sampleRateHz         the rate the verdict is computed for
 * @param macsPerWindow        multiply-accumulates of one invoke
 * @param activationElements   LOGISTIC + TANH elements per invoke
 * @param eltwiseElements      ADD + MUL elements per invoke
 * @param ops                  ops per invoke
 * @param cyclesPerWindow      estimated cycles of one invoke (ESP-NN FC, reference activations)
 * @param lutCyclesPerWindow   the same with lookup-table LOGISTIC/TANH (int8 only; equals cyclesPerWindow for float)
 * @param arenaBytes           tensor arena estimate: peak live activations (16-byte aligned) + TFLM bookkeeping
 * @param flashBytes           size of the .tflite part
 */
public record CostCard(String precision, String layout, int stride, double sampleRateHz, long macsPerWindow,
        long activationElements, long eltwiseElements, int ops, long cyclesPerWindow, long lutCyclesPerWindow,
        long arenaBytes, long flashBytes) {

    /** ESP32-S3 core clock used for the times. */
    public static final double CLOCK_HZ = 240e6;

    public double macsPerSample() {
        return (double) macsPerWindow / stride;
    }

    public double opsPerSample() {
        return (double) ops / stride;
    }

    public double invokesPerSample() {
        return 1.0 / stride;
    }

    /** Average core time per sample, microseconds. */
    public double microsPerSample() {
        return cyclesPerWindow / (double) stride / CLOCK_HZ * 1e6;
    }

    public double lutMicrosPerSample() {
        return lutCyclesPerWindow / (double) stride / CLOCK_HZ * 1e6;
    }

    /** Share of one core at {@link #sampleRateHz()}, percent. */
    public double percentOfCore() {
        return microsPerSample() * sampleRateHz / 1e4;
    }

    public double lutPercentOfCore() {
        return lutMicrosPerSample() * sampleRateHz / 1e4;
    }

    /** The highest sample rate one full core keeps up with. */
    public double maxSampleRateHz() {
        return 1e6 / microsPerSample();
    }

    /** Time of one invoke (the burst the sensor FIFO has to cover), milliseconds. */
    public double millisPerInvoke() {
        return cyclesPerWindow / CLOCK_HZ * 1e3;
    }

    public String verdict() {
        return String.format(java.util.Locale.ROOT,
                "%s: keeps up at %.0f Hz on one core; %.1f %% of a core at %.0f Hz (%.1f us/sample)%s",
                precision, maxSampleRateHz(), percentOfCore(), sampleRateHz, microsPerSample(),
                precision.equals("int8") ? String.format(java.util.Locale.ROOT,
                        "; with LUT LOGISTIC/TANH %.1f %% (%.1f us/sample)", lutPercentOfCore(), lutMicrosPerSample())
                        : "");
    }
}
