package io.gyrosentinel.sim;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

/**
 * A fault the {@link VirtualDevice} can simulate on its machine. Faults add up; each is
 * deterministic for the device's seed. The constructors throw {@link GyroSentinelException}
 * ({@link ErrorCode#INVALID_ARGUMENT}, {@link GyroSentinelException#field()} naming the parameter) for
 * negative, zero or non-finite values.
 */
public sealed interface Fault {

    /**
     * Mass imbalance: the first-harmonic amplitude grows by {@code severity} (0.5 = +50 %).
     *
     * @param severity relative growth of the fundamental, &ge; 0
     */
    record Imbalance(double severity) implements Fault {
        /**
         * Validates the severity.
         *
         * @param severity relative growth of the fundamental, &ge; 0
         */
        public Imbalance {
            requireNonNegative(severity, "severity");
        }
    }

    /**
     * Bearing defect: short decaying bursts at a resonance, repeating at {@code defectOrder}
     * times the shaft frequency (3.57 is typical of an outer-race defect).
     *
     * @param amplitudeDps peak amplitude of a burst, dps
     * @param defectOrder  bursts per shaft revolution
     * @param resonanceHz  ring frequency of a burst (capped below the Nyquist frequency)
     * @param decayMillis  time constant of a burst's decay
     */
    record BearingImpulses(double amplitudeDps, double defectOrder, double resonanceHz, double decayMillis)
            implements Fault {
        /**
         * Validates the parameters.
         *
         * @param amplitudeDps peak amplitude of a burst, dps, &ge; 0
         * @param defectOrder  bursts per shaft revolution, &gt; 0
         * @param resonanceHz  ring frequency of a burst, Hz, &gt; 0
         * @param decayMillis  time constant of a burst's decay, ms, &gt; 0
         */
        public BearingImpulses {
            requireNonNegative(amplitudeDps, "amplitudeDps");
            requirePositive(defectOrder, "defectOrder");
            requirePositive(resonanceHz, "resonanceHz");
            requirePositive(decayMillis, "decayMillis");
        }

        /** {@return an outer-race defect: 3 dps bursts, 3.57 per revolution, ringing at 350 Hz, decaying in 3 ms} */
        public static BearingImpulses typical() {
            return new BearingImpulses(3.0, 3.57, 350, 3);
        }
    }

    /**
     * Mechanical looseness: higher harmonics and a half-order sub-harmonic, scaled by {@code severity}.
     *
     * @param severity scale of the added harmonics, &ge; 0
     */
    record Looseness(double severity) implements Fault {
        /**
         * Validates the severity.
         *
         * @param severity scale of the added harmonics, &ge; 0
         */
        public Looseness {
            requireNonNegative(severity, "severity");
        }
    }

    /**
     * Sensor bias drift on every axis.
     *
     * @param dpsPerSecond how fast the bias grows, dps per second (may be negative)
     */
    record Drift(double dpsPerSecond) implements Fault {
    }

    /**
     * Parses the {@code fault=} values of a {@code sim:} URI: imbalance, bearing, looseness, drift.
     *
     * @param name     {@code imbalance}, {@code bearing} (amplitude 6 dps × severity), {@code looseness} or {@code
     *                 drift} (severity in dps per second)
     * @param severity the fault's severity
     * @return the fault
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} for an unknown name (field {@code fault})
     *                               or a bad severity
     */
    static Fault parse(String name, double severity) {
        return switch (name) {
            case "imbalance" -> new Imbalance(severity);
            case "bearing" -> new BearingImpulses(6.0 * severity, 3.57, 350, 3);
            case "looseness" -> new Looseness(severity);
            case "drift" -> new Drift(severity);
            default -> throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "unknown fault '" + name
                    + "'; known: imbalance, bearing, looseness, drift", "fault", null);
        };
    }

    private static void requireNonNegative(double v, String n) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, n + " must be a finite number >= 0, got " + v, n, null);
        }
    }

    private static void requirePositive(double v, String n) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, n + " must be a finite number > 0, got " + v, n, null);
        }
    }
}
