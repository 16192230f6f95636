package io.gyrosentinel.sim;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Produces the samples of a {@link MachineModel} with {@link Fault}s, sample by sample,
 * deterministically for a seed. Also usable on its own to make test data.
 */
public final class SignalGenerator {
    private final MachineModel machine;
    private final double rate;
    private final SplittableRandom rnd;
    private final double[][] phaseOffset;
    private double theta;
    private long n;
    private volatile List<Fault> faults = List.of();
    private double lastImpulseTheta;
    private double impulseAge = 1e9;
    private double impulseAmp;

    /**
     * A generator whose machine and noise both follow from one seed.
     *
     * @param machine      the machine
     * @param sampleRateHz sample rate, Hz
     * @param seed         fixes the machine and the noise
     */
    public SignalGenerator(MachineModel machine, double sampleRateHz, long seed) {
        this(machine, sampleRateHz, seed, seed);
    }

    /**
     * @param machine      the machine
     * @param sampleRateHz sample rate, Hz
     * @param machineSeed fixes the machine itself (harmonic phases): the same machine for the same seed
     * @param noiseSeed   fixes the noise and impulse sequence: a new recording of the same machine
     *                    uses another noise seed
     */
    public SignalGenerator(MachineModel machine, double sampleRateHz, long machineSeed, long noiseSeed) {
        this.machine = machine;
        this.rate = sampleRateHz;
        this.rnd = new SplittableRandom(noiseSeed);
        int h = machine.harmonics().length + 6;
        this.phaseOffset = new double[3][h];
        SplittableRandom pr = new SplittableRandom(machineSeed ^ 0x5DEECE66DL);
        for (int a = 0; a < 3; a++) {
            for (int k = 0; k < h; k++) {
                phaseOffset[a][k] = pr.nextDouble() * 2 * Math.PI;
            }
        }
    }

    /**
     * Replaces the simulated faults, from the next sample on; safe to call from another thread.
     *
     * @param f the faults (they add up), empty for a healthy machine
     */
    public void setFaults(List<Fault> f) {
        faults = List.copyOf(f);
    }

    /** {@return the faults simulated now (unmodifiable)} */
    public List<Fault> faults() {
        return faults;
    }

    /** {@return the index of the next sample} */
    public long position() {
        return n;
    }

    /**
     * Writes the next sample (X, Y, Z in dps) into {@code out}.
     *
     * @param out at least 3 elements; receives X, Y and Z, dps
     */
    public void next(double[] out) {
        double t = n / rate;
        double f = machine.shaftHz() * (1 + machine.speedWander() * Math.sin(2 * Math.PI * 0.05 * t));
        theta += 2 * Math.PI * f / rate;
        double[] amp = machine.amplitudeDps();
        double[] harm = machine.harmonics();
        double imbalance = 0;
        double loose = 0;
        double drift = 0;
        Fault.BearingImpulses bearing = null;
        for (Fault fl : faults) {
            if (fl instanceof Fault.Imbalance im) {
                imbalance += im.severity();
            } else if (fl instanceof Fault.Looseness l) {
                loose += l.severity();
            } else if (fl instanceof Fault.Drift d) {
                drift += d.dpsPerSecond();
            } else if (fl instanceof Fault.BearingImpulses b) {
                bearing = b;
            }
        }
        double burst = 0;
        if (bearing != null) {
            // one impact each time the shaft turns 1/defectOrder of a revolution
            double period = 2 * Math.PI / bearing.defectOrder();
            if (theta - lastImpulseTheta >= period) {
                lastImpulseTheta = theta;
                impulseAge = 0;
                impulseAmp = bearing.amplitudeDps() * (0.7 + 0.6 * rnd.nextDouble());
            }
            double fres = Math.min(bearing.resonanceHz(), 0.4 * rate);
            burst = impulseAmp * Math.exp(-impulseAge * 1000 / bearing.decayMillis()) * Math.sin(2 * Math.PI * fres * impulseAge);
            impulseAge += 1 / rate;
        }
        for (int a = 0; a < 3; a++) {
            double v = 0;
            for (int k = 0; k < harm.length; k++) {
                double gain = k == 0 ? 1 + imbalance : 1;
                v += amp[a] * harm[k] * gain * Math.sin((k + 1) * theta + phaseOffset[a][k]);
            }
            if (loose > 0) {
                int h = harm.length;
                for (int k = 1; k <= 4; k++) {
                    v += amp[a] * loose * 0.4 / k * Math.sin((h + k) * theta + phaseOffset[a][h + k - 1]);
                }
                v += amp[a] * loose * 0.3 * Math.sin(0.5 * theta + phaseOffset[a][h + 4]);
            }
            v += burst * (a == 2 ? 0.5 : 1.0);
            v += drift * t;
            v += machine.noiseDps() * rnd.nextGaussian();
            out[a] = v;
        }
        n++;
    }

    /**
     * Convenience: {@code count} samples as an interleaved X/Y/Z array.
     *
     * @param count number of samples
     * @return a new array of {@code 3 * count} values, dps
     */
    public float[] generate(int count) {
        float[] out = new float[count * 3];
        double[] s = new double[3];
        for (int i = 0; i < count; i++) {
            next(s);
            out[3 * i] = (float) s[0];
            out[3 * i + 1] = (float) s[1];
            out[3 * i + 2] = (float) s[2];
        }
        return out;
    }
}
