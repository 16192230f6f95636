package io.gyrosentinel.sim;

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

    public MachineModel {
        if (!(rpm > 0) || Double.isInfinite(rpm)) {
            throw new IllegalArgumentException("rpm must be > 0, got " + rpm);
        }
        if (amplitudeDps.length != 3) {
            throw new IllegalArgumentException("amplitudeDps needs 3 values (X, Y, Z), got " + amplitudeDps.length);
        }
        if (!(noiseDps >= 0)) {
            throw new IllegalArgumentException("noiseDps must be >= 0, got " + noiseDps);
        }
        amplitudeDps = amplitudeDps.clone();
        harmonics = harmonics.clone();
    }

    /** A fan or motor at {@code rpm}: 2.0 / 1.5 / 0.6 dps, harmonics 1, 0.35, 0.15, noise 0.15 dps. */
    public static MachineModel fan(double rpm) {
        return new MachineModel(rpm, new double[] {2.0, 1.5, 0.6}, new double[] {1.0, 0.35, 0.15}, 0.15, 0.003);
    }

    public double shaftHz() {
        return rpm / 60.0;
    }

    @Override
    public double[] amplitudeDps() {
        return amplitudeDps.clone();
    }

    @Override
    public double[] harmonics() {
        return harmonics.clone();
    }

    public MachineModel withRpm(double r) {
        return new MachineModel(r, amplitudeDps, harmonics, noiseDps, speedWander);
    }

    public MachineModel withNoise(double n) {
        return new MachineModel(rpm, amplitudeDps, harmonics, n, speedWander);
    }
}
