package io.gyrosentinel;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * How the device samples its gyroscope. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * SensorConfig cfg = SensorConfig.builder().odrHz(1920).fullScaleDps(500).batchSize(50).build();
 * }</pre>
 *
 * @param odrHz        output data rate of the sensor in Hz, {@link DeviceLimits#ODR_MIN_HZ} ..
 *                     {@link DeviceLimits#ODR_MAX_HZ}; the device runs the nearest rate its sensor has
 *                     ({@link DeviceLimits#odrSupportedHz()}) and {@code DeviceClient.config()} then reports that
 * @param fullScaleDps full scale in degrees per second (125, 250, 500, 1000, 2000, 4000)
 * @param axes         enabled axes
 * @param decimation   keep one sample in {@code decimation}
 * @param batchSize    samples per batch on the wire
 */
public record SensorConfig(double odrHz, int fullScaleDps, Set<Axis> axes, int decimation, int batchSize) {

    /** Output data rates of the ISM330BX gyroscope, in Hz (the device contract's {@link DeviceLimits#odrSupportedHz()}). */
    public static final double[] SUPPORTED_ODR_HZ = DeviceLimits.odrSupportedHz();
    /** Full scales of the ISM330BX gyroscope, in dps (the device contract's {@link DeviceLimits#fullScaleDps()}). */
    public static final int[] SUPPORTED_FULL_SCALE_DPS = DeviceLimits.fullScaleDps();
    /** Largest batch the protocol carries (1536 data bytes / 6 bytes per 3-axis sample). */
    public static final int MAX_BATCH_SIZE = DeviceLimits.BATCH_DATA_MAX_BYTES / 6;

    /**
     * What the device contract refuses in a configuration: the request's field and the firmware's message.
     *
     * @param field   the request field refused, e.g. {@code configure.odr_hz}
     * @param message the device contract's message, word for word as the firmware sends it
     */
    public record Violation(String field, String message) {
    }

    /**
     * Makes {@code axes} an unmodifiable copy. Does not validate: use {@link #builder()} for a checked configuration.
     *
     * @param odrHz        output data rate, Hz
     * @param fullScaleDps full scale, dps
     * @param axes         enabled axes, copied
     * @param decimation   keep one sample in {@code decimation}
     * @param batchSize    samples per batch on the wire
     */
    public SensorConfig {
        axes = Collections.unmodifiableSet(axes.isEmpty() ? EnumSet.noneOf(Axis.class) : EnumSet.copyOf(axes));
    }

    /** {@return the device contract's default: 960 Hz, ±250 dps, X/Y/Z, no decimation, 64 samples per batch} */
    public static SensorConfig defaults() {
        return builder().build();
    }

    /** {@return a builder initialised with the device contract's defaults (see {@link #defaults()})} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder holding this configuration's values, to change some of them} */
    public Builder toBuilder() {
        return new Builder().odrHz(odrHz).fullScaleDps(fullScaleDps).axes(axes).decimation(decimation).batchSize(batchSize);
    }

    /** {@return the number of channels in each sample (the number of enabled axes)} */
    public int channels() {
        return axes.size();
    }

    /** {@return the rate of samples after decimation, Hz ({@code odrHz / decimation})} */
    public double sampleRateHz() {
        return odrHz / decimation;
    }

    /**
     * Degrees per second per LSB: the ISM330BX datasheet sensitivity, 35 µdps/LSB per dps of
     * full scale (8.75 mdps/LSB at ±250 dps).
     *
     * @return the sensitivity for this configuration's full scale, dps per LSB
     */
    public float dpsPerLsb() {
        return dpsPerLsb(fullScaleDps);
    }

    /**
     * Degrees per second per LSB for a full scale: 35 µdps/LSB per dps of full scale (the ISM330BX datasheet).
     *
     * @param fullScaleDps full scale in dps, e.g. 250
     * @return the sensitivity, dps per LSB (0.00875 at ±250 dps)
     */
    public static float dpsPerLsb(int fullScaleDps) {
        return (float) (fullScaleDps * 35e-6);
    }

    /** {@return the enabled axes as the protocol's bit mask (X=1, Y=2, Z=4)} */
    public int axesMask() {
        int m = 0;
        for (Axis a : axes) {
            m |= a.bit();
        }
        return m;
    }

    /**
     * The axes of a protocol bit mask; bits other than X=1, Y=2, Z=4 are ignored.
     *
     * @param mask the bit mask
     * @return a new mutable set of the axes whose bit is set (empty for 0)
     */
    public static Set<Axis> axesFromMask(int mask) {
        EnumSet<Axis> s = EnumSet.noneOf(Axis.class);
        for (Axis a : Axis.values()) {
            if ((mask & a.bit()) != 0) {
                s.add(a);
            }
        }
        return s;
    }

    /**
     * The supported rate nearest to {@code odrHz} (ties: the lower one), as the device's sensor picks it.
     *
     * @param odrHz a requested output data rate, Hz
     * @return the element of {@link #SUPPORTED_ODR_HZ} nearest to it, Hz
     */
    public static double nearestOdrHz(double odrHz) {
        double best = SUPPORTED_ODR_HZ[0];
        for (double r : SUPPORTED_ODR_HZ) {
            if (Math.abs(odrHz - r) < Math.abs(odrHz - best)) {
                best = r;
            }
        }
        return best;
    }

    /**
     * SampleBatch.sample_period_ns as the firmware computes it: round(1e9 / odr) x decimation.
     *
     * @param odrHz      output data rate the sensor runs at, Hz
     * @param decimation keep one sample in {@code decimation}
     * @return the period between two delivered samples, ns
     */
    public static long samplePeriodNs(double odrHz, int decimation) {
        return Math.round(1e9 / odrHz) * decimation;
    }

    /**
     * The device contract's check of a complete configuration (gs_sensor_config_check in the firmware, same
     * order, same fields, same messages): the first violation, or empty when the device accepts it.
     *
     * @param odrHz        requested output data rate, Hz (checked as the float the wire carries)
     * @param fullScaleDps full scale, dps
     * @param axesMask     axes bit mask (X=1, Y=2, Z=4)
     * @param decimation   keep one sample in {@code decimation}
     * @param batchSize    samples per batch
     * @return the first violation, or empty when the device accepts the configuration
     */
    public static java.util.Optional<Violation> violation(double odrHz, int fullScaleDps, int axesMask, int decimation,
                                                        int batchSize) {
        float odr = (float) odrHz; // the wire carries a float, as the firmware sees it
        if (!Float.isFinite(odr) || odr < (float) DeviceLimits.ODR_MIN_HZ || odr > (float) DeviceLimits.ODR_MAX_HZ) {
            return violated("configure.odr_hz", io.gyrosentinel.internal.DeviceMessages.ODR_RANGE);
        }
        boolean fsOk = false;
        for (int f : SUPPORTED_FULL_SCALE_DPS) {
            fsOk |= f == fullScaleDps;
        }
        if (!fsOk) {
            return violated("configure.full_scale_dps", io.gyrosentinel.internal.DeviceMessages.FULL_SCALE);
        }
        if (axesMask <= 0 || axesMask > DeviceLimits.AXES_MASK_MAX) {
            return violated("configure.axes_mask", io.gyrosentinel.internal.DeviceMessages.AXES_MASK);
        }
        if (decimation < 1 || decimation > DeviceLimits.DECIMATION_MAX) {
            return violated("configure.decimation", io.gyrosentinel.internal.DeviceMessages.DECIMATION_RANGE);
        }
        double rate = nearestOdrHz(odr);
        if (samplePeriodNs(rate, decimation) > 0xFFFF_FFFFL) {
            return violated("configure.decimation", io.gyrosentinel.internal.DeviceMessages.format(
                    io.gyrosentinel.internal.DeviceMessages.DECIMATION_PERIOD, decimation, rate));
        }
        int channels = Integer.bitCount(axesMask);
        int maxBatch = DeviceLimits.BATCH_DATA_MAX_BYTES / (2 * channels);
        if (batchSize < 1 || batchSize > maxBatch) {
            return violated("configure.batch_size", io.gyrosentinel.internal.DeviceMessages.format(
                    io.gyrosentinel.internal.DeviceMessages.BATCH_RANGE, maxBatch, channels));
        }
        return java.util.Optional.empty();
    }

    private static java.util.Optional<Violation> violated(String field, String message) {
        return java.util.Optional.of(new Violation(field, message));
    }

    /** Builder; {@link #build()} validates every field against the device contract ({@link #violation}). */
    public static final class Builder {
        private double odrHz = DeviceLimits.DEFAULT_ODR_HZ;
        private int fullScaleDps = DeviceLimits.DEFAULT_FULL_SCALE_DPS;
        private Set<Axis> axes = axesFromMask(DeviceLimits.DEFAULT_AXES_MASK);
        private int decimation = DeviceLimits.DEFAULT_DECIMATION;
        private int batchSize = DeviceLimits.DEFAULT_BATCH_SIZE;

        /**
         * Output data rate, Hz ({@link DeviceLimits#ODR_MIN_HZ} .. {@link DeviceLimits#ODR_MAX_HZ}); default 960.
         *
         * @param v the rate, Hz
         * @return this builder
         */
        public Builder odrHz(double v) { this.odrHz = v; return this; }
        /**
         * Full scale, dps: one of {@link #SUPPORTED_FULL_SCALE_DPS}; default 250.
         *
         * @param v the full scale, dps
         * @return this builder
         */
        public Builder fullScaleDps(int v) { this.fullScaleDps = v; return this; }
        /**
         * Enabled axes (copied); default X, Y and Z.
         *
         * @param v the axes, not empty
         * @return this builder
         */
        public Builder axes(Set<Axis> v) { this.axes = EnumSet.copyOf(v); return this; }
        /**
         * Enabled axes; default X, Y and Z.
         *
         * @param first an axis
         * @param rest  further axes
         * @return this builder
         */
        public Builder axes(Axis first, Axis... rest) { this.axes = EnumSet.of(first, rest); return this; }
        /**
         * Keep one sample in {@code v} (1 .. {@link DeviceLimits#DECIMATION_MAX}); default 1.
         *
         * @param v the decimation factor
         * @return this builder
         */
        public Builder decimation(int v) { this.decimation = v; return this; }
        /**
         * Samples per batch on the wire: 1 .. 1536 / (2 × channels) (256 for 3 axes); default 64.
         *
         * @param v the batch size, samples
         * @return this builder
         */
        public Builder batchSize(int v) { this.batchSize = v; return this; }

        /**
         * Checks the configuration against the device contract ({@link #violation}) and builds it.
         *
         * @return the configuration
         * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} naming the field (e.g. {@code
         *         configure.odr_hz}) and the contract's message
         */
        public SensorConfig build() {
            int mask = 0;
            for (Axis a : axes == null ? Set.<Axis>of() : axes) {
                mask |= a.bit();
            }
            java.util.Optional<Violation> v = violation(odrHz, fullScaleDps, mask, decimation, batchSize);
            if (v.isPresent()) {
                String got = switch (v.get().field()) {
                    case "configure.odr_hz" -> odrHz + " Hz";
                    case "configure.full_scale_dps" -> fullScaleDps + " dps";
                    case "configure.axes_mask" -> "no axis";
                    case "configure.decimation" -> String.valueOf(decimation);
                    default -> String.valueOf(batchSize);
                };
                throw invalid(v.get().field(), v.get().message() + ", got " + got);
            }
            return new SensorConfig(odrHz, fullScaleDps, axes, decimation, batchSize);
        }

        private static GyroSentinelException invalid(String field, String msg) {
            return new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, msg, field, null);
        }
    }
}
