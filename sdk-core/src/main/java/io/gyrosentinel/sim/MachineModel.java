package io.gyrosentinel.sim;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

/**
 * The physical signal of a rotating machine as a gyroscope on its housing sees it: a
 * fundamental at the shaft frequency, harmonics, a slow speed wander and Gaussian noise.
 *
 * @param rpm            shaft speed
 * @param amplitudeDps   first-harmonic amplitude per axis (X, Y, Z), dps
 * @param harmonics      relative amplitudes of harmonics 1, 2, 3, ... (harmonics[0] is the fundamental, usually 1)
 * @param noiseDps       standard deviation of white noise, dps
 * @param speedWander    relative amplitude of a slow speed variation (0.003 = ±0.3 %)
 */
public record MachineModel(double rpm, double[] amplitudeDps, double[] harmonics, double noiseDps, double speedWander) {

    /**
     * @param rpm          shaft speed, revolutions per minute, &gt; 0
     * @param amplitudeDps first-harmonic amplitude per axis (X, Y, Z), dps; copied
     * @param harmonics    relative amplitudes of the harmonics; copied
     * @param noiseDps     standard deviation of white noise, dps, &ge; 0
     * @param speedWander  relative amplitude of a slow speed variation
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (with {@link GyroSentinelException#field()})
     *                               if rpm is not positive and finite, amplitudeDps has not 3 values or noiseDps is
     *                               negative
     */
    public MachineModel {
        if (!(rpm > 0) || Double.isInfinite(rpm)) {
            throw invalid("rpm", "rpm must be > 0, got " + rpm);
        }
        if (amplitudeDps.length != 3) {
            throw invalid("amplitudeDps", "amplitudeDps needs 3 values (X, Y, Z), got " + amplitudeDps.length);
        }
        if (!(noiseDps >= 0)) {
            throw invalid("noiseDps", "noiseDps must be >= 0, got " + noiseDps);
        }
        amplitudeDps = amplitudeDps.clone();
        harmonics = harmonics.clone();
    }

    /**
     * A fan or motor at {@code rpm}: 2.0 / 1.5 / 0.6 dps, harmonics 1, 0.35, 0.15, noise 0.15 dps.
     *
     * @param rpm shaft speed, revolutions per minute
     * @return the model, with a speed wander of ±0.3 %
     */
    public static MachineModel fan(double rpm) {
        return new MachineModel(rpm, new double[] {2.0, 1.5, 0.6}, new double[] {1.0, 0.35, 0.15}, 0.15, 0.003);
    }

    /** {@return the shaft frequency, Hz ({@code rpm / 60})} */
    public double shaftHz() {
        return rpm / 60.0;
    }

    /** {@return a copy of the first-harmonic amplitude per axis (X, Y, Z), dps} */
    @Override
    public double[] amplitudeDps() {
        return amplitudeDps.clone();
    }

    /** {@return a copy of the relative amplitudes of the harmonics} */
    @Override
    public double[] harmonics() {
        return harmonics.clone();
    }

    /**
     * The same machine at another speed.
     *
     * @param r shaft speed, revolutions per minute
     * @return the new model
     */
    public MachineModel withRpm(double r) {
        return new MachineModel(r, amplitudeDps, harmonics, noiseDps, speedWander);
    }

    /**
     * The same machine with another noise level.
     *
     * @param n standard deviation of white noise, dps
     * @return the new model
     */
    public MachineModel withNoise(double n) {
        return new MachineModel(rpm, amplitudeDps, harmonics, n, speedWander);
    }

    private static GyroSentinelException invalid(String field, String message) {
        return new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, message, field, null);
    }
}
