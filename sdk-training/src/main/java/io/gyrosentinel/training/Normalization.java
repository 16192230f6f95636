package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.Arrays;

/**
 * Per-channel normalisation {@code (x - mean[c]) / std[c]}, computed on the training part of the data and
 * stored with the model; the device applies the same transform before inference.
 */
public record Normalization(float[] mean, float[] std) {

    /**
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

    public int channels() {
        return mean.length;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Normalises one interleaved value of channel {@code c}. */
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
