package io.gyrosentinel.training;

/**
 * Receives training progress. Called on the training thread after every epoch; keep it quick, or hand the
 * report to your own executor.
 */
@FunctionalInterface
public interface TrainingListener {
    void onEpoch(EpochReport report);

    /** A listener that ignores everything. */
    static TrainingListener none() {
        return r -> {};
    }
}
