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
 * @param odrHz        output data rate of the sensor in Hz (ISM330BX gyro: 7.5 ... 3840)
 * @param fullScaleDps full scale in degrees per second (125, 250, 500, 1000, 2000, 4000)
 * @param axes         enabled axes
 * @param decimation   keep one sample in {@code decimation}
 * @param batchSize    samples per batch on the wire
 */
public record SensorConfig(double odrHz, int fullScaleDps, Set<Axis> axes, int decimation, int batchSize) {

    /** Output data rates of the ISM330BX gyroscope, in Hz. */
    public static final double[] SUPPORTED_ODR_HZ = {7.5, 15, 30, 60, 120, 240, 480, 960, 1920, 3840};
    /** Full scales of the ISM330BX gyroscope, in dps. */
    public static final int[] SUPPORTED_FULL_SCALE_DPS = {125, 250, 500, 1000, 2000, 4000};
    /** Largest batch the protocol carries (1536 data bytes / 6 bytes per 3-axis sample). */
    public static final int MAX_BATCH_SIZE = 256;

    public SensorConfig {
        axes = Collections.unmodifiableSet(axes.isEmpty() ? EnumSet.noneOf(Axis.class) : EnumSet.copyOf(axes));
    }

    /** The default: 960 Hz, ±250 dps, X/Y/Z, no decimation, 48 samples per batch (50 batches/s). */
    public static SensorConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().odrHz(odrHz).fullScaleDps(fullScaleDps).axes(axes).decimation(decimation).batchSize(batchSize);
    }

    /** Number of channels in each sample. */
    public int channels() {
        return axes.size();
    }

    /** Rate of samples after decimation, Hz. */
    public double sampleRateHz() {
        return odrHz / decimation;
    }

    /**
     * Degrees per second per LSB: the ISM330BX datasheet sensitivity, 35 µdps/LSB per dps of
     * full scale (8.75 mdps/LSB at ±250 dps).
     */
    public float dpsPerLsb() {
        return dpsPerLsb(fullScaleDps);
    }

    public static float dpsPerLsb(int fullScaleDps) {
        return (float) (fullScaleDps * 35e-6);
    }

    /** Axes as the protocol's bit mask. */
    public int axesMask() {
        int m = 0;
        for (Axis a : axes) {
            m |= a.bit();
        }
        return m;
    }

    public static Set<Axis> axesFromMask(int mask) {
        EnumSet<Axis> s = EnumSet.noneOf(Axis.class);
        for (Axis a : Axis.values()) {
            if ((mask & a.bit()) != 0) {
                s.add(a);
            }
        }
        return s;
    }

    /** Builder; {@link #build()} validates every field against the sensor's capabilities. */
    public static final class Builder {
        private double odrHz = 960;
        private int fullScaleDps = 250;
        private Set<Axis> axes = EnumSet.allOf(Axis.class);
        private int decimation = 1;
        private int batchSize = 48;

        public Builder odrHz(double v) { this.odrHz = v; return this; }
        public Builder fullScaleDps(int v) { this.fullScaleDps = v; return this; }
        public Builder axes(Set<Axis> v) { this.axes = EnumSet.copyOf(v); return this; }
        public Builder axes(Axis first, Axis... rest) { this.axes = EnumSet.of(first, rest); return this; }
        public Builder decimation(int v) { this.decimation = v; return this; }
        public Builder batchSize(int v) { this.batchSize = v; return this; }

        public SensorConfig build() {
            boolean odrOk = false;
            for (double o : SUPPORTED_ODR_HZ) {
                odrOk |= Math.abs(o - odrHz) < 1e-6;
            }
            if (!odrOk) {
                throw invalid("odr_hz", "unsupported ODR " + odrHz + " Hz; the ISM330BX gyro supports "
                        + java.util.Arrays.toString(SUPPORTED_ODR_HZ));
            }
            boolean fsOk = false;
            for (int f : SUPPORTED_FULL_SCALE_DPS) {
                fsOk |= f == fullScaleDps;
            }
            if (!fsOk) {
                throw invalid("full_scale_dps", "unsupported full scale " + fullScaleDps + " dps; supported: "
                        + java.util.Arrays.toString(SUPPORTED_FULL_SCALE_DPS));
            }
            if (axes == null || axes.isEmpty()) {
                throw invalid("axes_mask", "at least one axis must be enabled");
            }
            if (decimation < 1 || decimation > 64) {
                throw invalid("decimation", "decimation must be 1..64, got " + decimation);
            }
            int maxBatch = 1536 / (2 * axes.size());
            if (batchSize < 1 || batchSize > maxBatch) {
                throw invalid("batch_size", "batch size must be 1.." + maxBatch + " for " + axes.size()
                        + " axes, got " + batchSize);
            }
            return new SensorConfig(odrHz, fullScaleDps, axes, decimation, batchSize);
        }

        private static GyroSentinelException invalid(String field, String msg) {
            return new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, msg, field, null);
        }
    }
}
