package io.gyrosentinel.training.packaging;

import java.util.Locale;

/**
 * How one packaged model fared in the real TensorFlow Lite Micro on the host: the firmware's own TFLM backend and
 * op resolver over the pinned esp-tflite-micro sources (reference kernels), loaded through the C core's model store
 * and runtime, with the firmware's default tensor arena. Run when the packager is given the host runner
 * ({@code gs_tflm_run}, see {@link ModelPackager.Builder#tflmRunner}); a model that does not load there is never
 * shipped.
 *
 * @param ran             whether the check ran (false: no host runner configured; the other fields are empty)
 * @param loaded          whether the model loaded
 * @param failure         why it did not load (the C core's error and reason) or does not fit the device's arena, or
 *                        null
 * @param arenaUsedBytes  {@code MicroInterpreter::arena_used_bytes()} after AllocateTensors (measured with the host's
 *                        448 KiB arena, Kconfig's largest)
 * @param arenaRequiredBytes the smallest arena the model loads in: AllocateTensors needs temporary space beyond
 *                        {@code arena_used_bytes()} (found by loading it in ever smaller arenas, 16-byte steps)
 * @param arenaSizeBytes  the device arena it must fit in ({@link ModelPackager.Builder#deviceArenaBytes})
 * @param maxAbsError     largest |TFLM − reference| over all reconstructed values (normalised units)
 * @param maxRelError     largest |TFLM − reference| / max(|reference|, 1)
 * @param spearman        Spearman rank correlation of TFLM scores with reference scores
 * @param rocAuc          ROC-AUC (anomalous vs normal) of the TFLM scores
 * @param passed          loaded, fits the device's arena, and within the precision's criteria (float32: relative
 *                        error ≤ 1e-5; integer: the packager's Spearman and ROC-AUC gates)
 */
public record MicroCheck(boolean ran, boolean loaded, String failure, int arenaUsedBytes, int arenaRequiredBytes,
        int arenaSizeBytes,
        double maxAbsError, double maxRelError, double spearman, double rocAuc, boolean passed) {

    /** Largest accepted relative error of the float32 model in TFLite Micro against the trainer's reference. */
    public static final double FLOAT_RELATIVE_TOLERANCE = 1e-5;

    /** {@return a check that did not run (no host runner): {@code ran} false, the errors NaN} */
    public static MicroCheck notRun() {
        return new MicroCheck(false, false, null, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, false);
    }

    /**
     * A check whose model did not load.
     *
     * @param failure        why it did not load (the C core's error and reason)
     * @param arenaSizeBytes the device arena it had to fit in, bytes
     * @return the failed check
     */
    public static MicroCheck notLoaded(String failure, int arenaSizeBytes) {
        return new MicroCheck(true, false, failure, 0, 0, arenaSizeBytes, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                false);
    }

    @Override
    public String toString() {
        if (!ran) {
            return "TFLite Micro: not run (no host runner)";
        }
        if (!loaded) {
            return "TFLite Micro: DID NOT LOAD (" + failure + ")";
        }
        return String.format(Locale.ROOT, "TFLite Micro: %s (arena: %d used, loads in %d of the device's %d bytes; "
                + "max |err| %.3g, rel %.3g, Spearman %.4f, ROC-AUC %.4f)", passed ? "PASS" : "FAIL", arenaUsedBytes,
                arenaRequiredBytes, arenaSizeBytes,
                maxAbsError, maxRelError, spearman, rocAuc) + (failure == null ? "" : ": " + failure);
    }
}
