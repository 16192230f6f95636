package io.gyrosentinel.training;

import io.gyrosentinel.recording.SessionLabel;
import java.util.Random;

/**
 * Synthetic 3-axis gyro signal of a rotating machine: fundamental at rpm/60 Hz plus two harmonics, per-axis
 * amplitudes and phases, Gaussian noise, a little speed wander. Faults: imbalance (first harmonic x1.5) and
 * bearing impulses (short decaying bursts at a high resonance, repeating at a bearing-defect rate).
 */
public final class MachineSignal {
    private static final double[][] AMPLITUDE = {{1.0, 0.35, 0.15}, {0.8, 0.30, 0.20}, {0.5, 0.25, 0.10}};
    private static final double[][] PHASE = {{0.0, 0.7, 1.9}, {1.57, 2.1, 0.4}, {0.9, 1.2, 2.6}};

    private double sampleRateHz = 200;
    private double rpm = 1500;
    private double noise = 0.05;
    private double imbalance = 1.0;
    private double bearingAmplitude = 0.0;
    private double bearingRateHz = 11.0;
    private double resonanceHz = 70.0;
    private double decaySeconds = 0.012;
    private double offset = 0.02;

    public MachineSignal sampleRateHz(double v) {
        sampleRateHz = v;
        return this;
    }

    public MachineSignal rpm(double v) {
        rpm = v;
        return this;
    }

    /** Multiplies the first-harmonic amplitude (1.5 = +50 % imbalance). */
    public MachineSignal imbalance(double factor) {
        imbalance = factor;
        return this;
    }

    /** Adds bearing impulses of this peak amplitude. */
    public MachineSignal bearingImpulses(double amplitude) {
        bearingAmplitude = amplitude;
        return this;
    }

    public TimeSeries generate(String name, double seconds, long seed, SessionLabel label) {
        Random rnd = new Random(seed);
        int n = (int) Math.round(seconds * sampleRateHz);
        float[] x = new float[n * 3];
        double phase0 = rnd.nextDouble() * 2 * Math.PI;
        double speed = rpm / 60.0 * (1 + 0.01 * rnd.nextGaussian());
        double angle = phase0;
        double nextImpulse = rnd.nextDouble() / bearingRateHz;
        double impulseTime = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double t = i / sampleRateHz;
            angle += 2 * Math.PI * speed * (1 + 0.002 * Math.sin(2 * Math.PI * 0.1 * t)) / sampleRateHz;
            if (bearingAmplitude > 0 && t >= nextImpulse) {
                impulseTime = nextImpulse;
                nextImpulse += (1 + 0.05 * rnd.nextGaussian()) / bearingRateHz;
            }
            double burst = 0;
            if (bearingAmplitude > 0 && impulseTime > Double.NEGATIVE_INFINITY && t >= impulseTime) {
                double dt = t - impulseTime;
                burst = bearingAmplitude * Math.exp(-dt / decaySeconds) * Math.sin(2 * Math.PI * resonanceHz * dt);
            }
            for (int c = 0; c < 3; c++) {
                double v = offset * (c + 1);
                for (int h = 0; h < 3; h++) {
                    double a = AMPLITUDE[c][h] * (h == 0 ? imbalance : 1.0);
                    v += a * Math.sin((h + 1) * angle + PHASE[c][h]);
                }
                v += burst * (c == 2 ? 1.0 : 0.6);
                v += noise * rnd.nextGaussian();
                x[i * 3 + c] = (float) v;
            }
        }
        return TimeSeries.builder().name(name).samples(x, 3).sampleRateHz(sampleRateHz).label(label).build();
    }
}
