package io.gyrosentinel.training;

/**
 * Receives training progress. Called on the training thread after every epoch; keep it quick, or hand the
 * report to your own executor.
 */
@FunctionalInterface
public interface TrainingListener {
    /**
     * Called after every epoch.
     *
     * @param report the epoch's losses, learning rate and timing
     */
    void onEpoch(EpochReport report);

    /** {@return a listener that ignores everything} */
    static TrainingListener none() {
        return r -> {};
    }
}
