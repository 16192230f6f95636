package io.gyrosentinel.client;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

import java.time.Duration;
import java.util.Objects;

/**
 * How a device calibrates its active model (docs/protocol.md §3.3): it collects {@code duration}
 * of normal data, computes the per-channel mean and std, scores every window of that data with
 * the new normalisation and sets the threshold to either a quantile of the window scores or
 * mean + k·std of them.
 *
 * <pre>{@code
 * CalibrationResult r = client.calibrate(CalibrationOptions.quantile(Duration.ofSeconds(30), 0.995));
 * CalibrationResult r = client.calibrate(CalibrationOptions.kSigma(Duration.ofSeconds(30), 4));
 * }</pre>
 *
 * @param duration how long to collect, 100 ms .. 600 s (whole milliseconds)
 * @param quantile the threshold quantile, 0 &lt; q &lt; 1, or 0 to use {@code kSigma}
 * @param kSigma   with {@code quantile} 0: threshold = mean + kSigma × std of the scores (&gt; 0)
 */
public record CalibrationOptions(Duration duration, double quantile, double kSigma) {
    /** Shortest calibration the device accepts, 100 ms. */
    public static final Duration MIN_DURATION = Duration.ofMillis(100);
    /** Longest calibration the device accepts, 600 s. */
    public static final Duration MAX_DURATION = Duration.ofSeconds(600);

    /**
     * Validates the options.
     *
     * @param duration how long to collect, 100 ms .. 600 s
     * @param quantile the threshold quantile, 0 &lt; q &lt; 1, or 0 to use {@code kSigma}
     * @param kSigma   with {@code quantile} 0: the multiple of the std above the mean, &gt; 0
     * @throws io.gyrosentinel.GyroSentinelException {@code BAD_INPUT} naming the field ({@code
     *         calibrate.duration_ms}, {@code calibrate.quantile} or {@code calibrate.k_sigma}) when a value is out
     *         of range
     * @throws NullPointerException when {@code duration} is {@code null}
     */
    public CalibrationOptions {
        Objects.requireNonNull(duration, "duration");
        if (duration.compareTo(MIN_DURATION) < 0 || duration.compareTo(MAX_DURATION) > 0) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "calibration duration must be within 100 ms .. 600 s, got "
                    + duration.toMillis() + " ms", "calibrate.duration_ms", null);
        }
        if (!(quantile >= 0 && quantile < 1)) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "quantile must be within (0, 1), or 0 to use k-sigma; got "
                    + quantile, "calibrate.quantile", null);
        }
        if (quantile == 0 && !(kSigma > 0 && Double.isFinite(kSigma))) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "kSigma must be > 0 when no quantile is given; got "
                    + kSigma, "calibrate.k_sigma", null);
        }
    }

    /**
     * Threshold = the {@code q} quantile of the window scores (linear interpolation).
     *
     * @param duration how long to collect, 100 ms .. 600 s
     * @param q        the quantile, 0 &lt; q &lt; 1 (e.g. 0.995)
     * @return the options
     */
    public static CalibrationOptions quantile(Duration duration, double q) {
        return new CalibrationOptions(duration, q, 0);
    }

    /**
     * Threshold = mean + {@code k} × population std of the window scores.
     *
     * @param duration how long to collect, 100 ms .. 600 s
     * @param k        the multiple of the std, &gt; 0 (e.g. 4)
     * @return the options
     */
    public static CalibrationOptions kSigma(Duration duration, double k) {
        return new CalibrationOptions(duration, 0, k);
    }
}
