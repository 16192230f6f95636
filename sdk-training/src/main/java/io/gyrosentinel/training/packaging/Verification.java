package io.gyrosentinel.training.packaging;

/**
 * How one packaged model compared with the trainer's reference forward pass when run in the real TFLite
 * runtime (desktop TFLite 2.6.2), and, when the packager has the host runner, in the real TensorFlow Lite Micro.
 *
 * @param precision           the packaged model's precision
 * @param normalWindows       normal windows compared (held out from int8 calibration)
 * @param anomalousWindows    anomalous windows compared
 * @param maxAbsError         largest |TFLite − reference| over all reconstructed values (normalised units)
 * @param spearman            Spearman rank correlation of TFLite scores with reference scores
 * @param rocAuc              ROC-AUC (anomalous vs normal) of the TFLite scores
 * @param referenceRocAuc     ROC-AUC of the reference scores
 * @param hostInvokeMicros    median host TFLite invoke time per window (interpreter run, 1 thread)
 * @param passed              whether this precision's criteria held in TFLite 2.6.2 and, when it ran, in TFLite Micro
 * @param criteria            the criteria applied, in words
 * @param micro               the TensorFlow Lite Micro check ({@link MicroCheck#ran()} false when it did not run)
 */
public record Verification(Precision precision, int normalWindows, int anomalousWindows, double maxAbsError,
        double spearman, double rocAuc, double referenceRocAuc, double hostInvokeMicros, boolean passed,
        String criteria, MicroCheck micro) {

    /**
     * Replaces a {@code null} {@code micro} by {@link MicroCheck#notRun()}.
     *
     * @param precision        the packaged model's precision
     * @param normalWindows    normal windows compared
     * @param anomalousWindows anomalous windows compared
     * @param maxAbsError      largest absolute error against the reference
     * @param spearman         Spearman rank correlation of the scores
     * @param rocAuc           ROC-AUC of the TFLite scores
     * @param referenceRocAuc  ROC-AUC of the reference scores
     * @param hostInvokeMicros median host invoke time per window, µs
     * @param passed           whether the criteria held
     * @param criteria         the criteria applied, in words
     * @param micro            the TensorFlow Lite Micro check, or {@code null} when it did not run
     */
    public Verification {
        if (micro == null) {
            micro = MicroCheck.notRun();
        }
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "%s: %s (max |err| %.3g, Spearman %.4f, ROC-AUC %.4f vs reference %.4f, %d+%d windows, host %.0f us/window; %s)",
                precision.id(), passed ? "PASS" : "FAIL", maxAbsError, spearman, rocAuc, referenceRocAuc,
                normalWindows, anomalousWindows, hostInvokeMicros, criteria) + "; " + micro;
    }
}
