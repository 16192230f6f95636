package io.gyrosentinel.model;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

import java.util.Arrays;

/**
 * What a device computed when it calibrated its active model on normal data
 * ({@link io.gyrosentinel.client.DeviceClient#calibrate(io.gyrosentinel.client.CalibrationOptions)}):
 * the per-channel normalisation it uses from now on and the new anomaly threshold. The device
 * keeps these until another model is activated (or it restarts).
 *
 * @param mean      per-channel mean of the collected samples, dps (channels in X, Y, Z order of the enabled axes)
 * @param std       per-channel population standard deviation, dps
 * @param threshold the new threshold on the window score (normalised MSE)
 * @param windows   how many windows the threshold was computed from
 */
public record CalibrationResult(float[] mean, float[] std, float threshold, int windows) {

    /**
     * Copies the arrays.
     *
     * @param mean      per-channel mean, dps
     * @param std       per-channel population standard deviation, dps
     * @param threshold the new threshold on the window score
     * @param windows   how many windows the threshold was computed from
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code std}) if mean and std differ in
     *                              length
     */
    public CalibrationResult {
        mean = mean.clone();
        std = std.clone();
        if (mean.length != std.length) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "mean and std must have one value per channel: "
                    + mean.length + " vs " + std.length, "std", null);
        }
    }

    /** {@return the number of channels calibrated} */
    public int channels() {
        return mean.length;
    }

    /** {@return a copy of the per-channel mean of the collected samples, dps} */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** {@return a copy of the per-channel population standard deviation, dps} */
    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CalibrationResult c && Arrays.equals(mean, c.mean) && Arrays.equals(std, c.std)
                && Float.compare(threshold, c.threshold) == 0 && windows == c.windows;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(mean) + Arrays.hashCode(std)) + Float.hashCode(threshold) * 7 + windows;
    }

    @Override
    public String toString() {
        return "CalibrationResult[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ", threshold="
                + threshold + ", windows=" + windows + "]";
    }
}
