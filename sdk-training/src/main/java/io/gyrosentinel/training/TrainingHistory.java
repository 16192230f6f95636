package io.gyrosentinel.training;

import java.time.Duration;
import java.util.List;

/**
 * What happened during training; stored in the model directory.
 *
 * @param epochs              one entry per epoch run ({@code epochTime}/{@code elapsed}/{@code eta} are
 *                            wall-clock and not reproducible)
 * @param bestEpoch           the epoch whose weights were kept (restore-best)
 * @param stopReason          why training ended
 * @param seed                the seed that made initial weights and shuffling
 * @param trainingWindows     number of training windows
 * @param validationWindows   number of validation windows
 * @param windowStride        stride used to cut windows, in samples
 * @param totalTime           wall time of the whole run
 */
public record TrainingHistory(List<EpochReport> epochs, int bestEpoch, StopReason stopReason, long seed,
        int trainingWindows, int validationWindows, int windowStride, Duration totalTime) {

    /**
     * Copies {@code epochs}.
     *
     * @param epochs            one entry per epoch run
     * @param bestEpoch         the epoch whose weights were kept, 1-based
     * @param stopReason        why training ended
     * @param seed              the seed
     * @param trainingWindows   number of training windows
     * @param validationWindows number of validation windows
     * @param windowStride      stride used to cut windows, in samples
     * @param totalTime         wall time of the whole run
     */
    public TrainingHistory {
        epochs = List.copyOf(epochs);
    }

    /** Why training ended. */
    public enum StopReason {
        /** Validation loss did not improve for {@code earlyStoppingPatience} epochs. */
        EARLY_STOPPING,
        /** {@code maxEpochs} were run. */
        MAX_EPOCHS
    }

    /** {@return the best validation loss (that of {@link #bestEpoch()}), normalised MSE} */
    public double bestValidationLoss() {
        return epochs.get(bestEpoch - 1).validationLoss();
    }
}
