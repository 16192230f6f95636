package io.gyrosentinel.training.packaging;

/**
 * What one packaged model costs on an ESP32-S3 (240 MHz), estimated from the graph's op list with the
 * constants of {@link CostModelConstants} (each cites its source: the esp-nn README's ESP32-S3 measurements, or
 * an operation count of the named TensorFlow Lite Micro kernel).
 *
 * <p>Kernel set assumed for {@link #cyclesPerWindow}: the stock esp-tflite-micro kernels the firmware registers
 * ({@code MicroMutableOpResolver} in {@code esp32-component/src/port/esp32/gs_model_tflm.cc}): float32 on the
 * reference kernels; int8 on ESP-NN's FULLY_CONNECTED/ADD/MUL and TFLM's gemmlowp int8 LOGISTIC/TANH; int16x8
 * on the reference int16 FULLY_CONNECTED/ADD/MUL (ESP-NN has no int16 path) and TFLM's int16 LOGISTIC/TANH,
 * which already are table lookups with interpolation.
 *
 * <p>Cost per window = MACs x cycles/MAC + FC outputs x requantisation + activation elements x cycles +
 * ADD/MUL elements x cycles + copied elements x {@value CostModelConstants#COPY_PER_ELEMENT} + ops x
 * {@value CostModelConstants#PER_OP} + {@value CostModelConstants#PER_INVOKE} per invoke.
 *
 * @param precision            the model's format
 * @param layout               how the firmware runs it (see {@link ModelPackager})
 * @param stride               samples between two invokes (one window score per stride)
 * @param sampleRateHz         the rate the verdict is computed for
 * @param macsPerWindow        multiply-accumulates of one invoke
 * @param activationElements   LOGISTIC + TANH elements per invoke
 * @param eltwiseElements      ADD + MUL elements per invoke
 * @param ops                  ops per invoke
 * @param cyclesPerWindow      estimated cycles of one invoke with the stock kernels (see above)
 * @param arenaBytes           tensor arena estimate: peak live activations (16-byte aligned) + TFLM bookkeeping
 * @param flashBytes           size of the .tflite part
 */
public record CostCard(Precision precision, String layout, int stride, double sampleRateHz, long macsPerWindow,
        long activationElements, long eltwiseElements, int ops, long cyclesPerWindow, long arenaBytes,
        long flashBytes) {

    /** ESP32-S3 core clock used for the times. */
    public static final double CLOCK_HZ = 240e6;

    /** {@return the multiply-accumulates per sensor sample (those of one invoke spread over the stride)} */
    public double macsPerSample() {
        return (double) macsPerWindow / stride;
    }

    /** {@return the ops run per sensor sample} */
    public double opsPerSample() {
        return (double) ops / stride;
    }

    /** {@return the invokes per sensor sample ({@code 1 / stride})} */
    public double invokesPerSample() {
        return 1.0 / stride;
    }

    /** {@return the average core time per sample, µs} */
    public double microsPerSample() {
        return cyclesPerWindow / (double) stride / CLOCK_HZ * 1e6;
    }

    /** {@return the share of one core at {@link #sampleRateHz()}, percent} */
    public double percentOfCore() {
        return microsPerSample() * sampleRateHz / 1e4;
    }

    /** {@return the highest sample rate one full core keeps up with, Hz} */
    public double maxSampleRateHz() {
        return 1e6 / microsPerSample();
    }

    /** {@return the time of one invoke (the burst the sensor FIFO has to cover), ms} */
    public double millisPerInvoke() {
        return cyclesPerWindow / CLOCK_HZ * 1e3;
    }

    /** {@return the kernels the estimate assumes, in words, e.g. {@code int8 ESP-NN}} */
    public String kernels() {
        return switch (precision) {
            case FLOAT32 -> "float reference";
            case INT8 -> "int8 ESP-NN";
            case INT16X8 -> "int16x8 reference";
        };
    }

    /**
     * {@return one line for people: the highest rate one core keeps up with and the share of a core at
     * {@link #sampleRateHz()}}
     */
    public String verdict() {
        return String.format(java.util.Locale.ROOT,
                "%s: keeps up at %.0f Hz on one core; %.1f %% of a core at %.0f Hz (%.1f us/sample, stock %s kernels)",
                precision.id(), maxSampleRateHz(), percentOfCore(), sampleRateHz, microsPerSample(), kernels());
    }
}
