package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.Arrays;

/**
 * Per-channel normalisation {@code (x - mean[c]) / std[c]}, computed on the training part of the data and
 * stored with the model; the device applies the same transform before inference.
 *
 * @param mean per-channel mean of the training data, physical units
 * @param std  per-channel standard deviation of the training data, positive
 */
public record Normalization(float[] mean, float[] std) {

    /**
     * @param mean per-channel mean, in the data's physical units; copied
     * @param std  per-channel standard deviation, positive; copied
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code mean} or {@code std}) if the
     *                               arrays are empty or differ in length, a value is not finite or a std not positive
     */
    public Normalization {
        if (mean == null || std == null || mean.length != std.length || mean.length == 0) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT,
                    "mean and std must be non-empty and of equal length", mean == null || mean.length == 0 ? "mean"
                    : "std", null);
        }
        for (int c = 0; c < std.length; c++) {
            if (!Float.isFinite(mean[c]) || !Float.isFinite(std[c]) || !(std[c] > 0)) {
                throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "channel " + c + ": mean " + mean[c]
                        + ", std " + std[c] + " (std must be positive and both finite)",
                        Float.isFinite(mean[c]) ? "std" : "mean", null);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** {@return the number of channels} */
    public int channels() {
        return mean.length;
    }

    /** {@return a copy of the per-channel mean, physical units} */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** {@return a copy of the per-channel standard deviation, physical units} */
    @Override
    public float[] std() {
        return std.clone();
    }

    /**
     * Normalises one interleaved value of channel {@code c}.
     *
     * @param value a value of channel {@code c}, physical units
     * @param c     the channel
     * @return {@code (value - mean[c]) / std[c]}
     */
    public float apply(float value, int c) {
        return (value - mean[c]) / std[c];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(n.mean, mean) && Arrays.equals(n.std, std);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mean) * 31 + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
