package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The detector families GyroSentinel trains, packages and runs; {@code gyrosentinel bench} compares them on the same
 * windows. Each is trained in Java, scores a window of normalised samples, and explains a score by each channel's
 * share ({@link AnomalyModel#channelScores(float[])}).
 */
public enum ModelFamily {
    /** LSTM autoencoder (TensorFlow Java); score = mean squared reconstruction error. */
    LSTM_AE("lstm-ae"),
    /** Fully connected autoencoder over the whole window (TensorFlow Java, tanh layers); same score. */
    DENSE_AE("dense-ae"),
    /** 1-D convolutional autoencoder (TensorFlow Java; stride-2 convolutions, nearest-neighbour upsampling). */
    CONV_AE("conv-ae"),
    /** {@link SignalFeatures} scored by a Mahalanobis distance with Ledoit–Wolf shrinkage. */
    FEATURES_MAHALANOBIS("features-mahalanobis"),
    /** {@link SignalFeatures} scored by PCA: Hotelling's T² in the principal subspace plus the residual Q (SPE). */
    FEATURES_PCA("features-pca");

    private final String id;

    ModelFamily(String id) {
        this.id = id;
    }

    /**
     * {@return the name used on the command line, in model directories and in bench results, e.g. {@code lstm-ae}}
     */
    public String id() {
        return id;
    }

    /** {@return whether the family is a statistical model over {@link SignalFeatures}} */
    public boolean usesFeatures() {
        return this == FEATURES_MAHALANOBIS || this == FEATURES_PCA;
    }

    /**
     * The family named {@code id} (case-insensitive).
     *
     * @param id the family's {@link #id()}, any case, surrounding spaces ignored
     * @return the family
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code family}) naming the known ones
     */
    public static ModelFamily of(String id) {
        for (ModelFamily f : values()) {
            if (f.id.equalsIgnoreCase(id == null ? "" : id.trim())) {
                return f;
            }
        }
        throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "unknown model family '" + id + "'; known: "
                + String.join(", ", Arrays.stream(values()).map(ModelFamily::id).toList()), "family", null);
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
