package io.gyrosentinel.training.bench;

import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.training.AutoencoderTrainer;
import io.gyrosentinel.training.MachineSignal;
import io.gyrosentinel.training.TimeSeries;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.packaging.ModelPackager;
import io.gyrosentinel.training.packaging.PackagingReport;
import io.gyrosentinel.training.packaging.Precision;
import io.gyrosentinel.training.packaging.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the integer precisions verify on trained models, by samples per LSTM step: trains the default model
 * (window 40) with K = 8 (the default, 5 steps), 4 (10 steps) and 1 (40 steps) for several seeds on synthetic
 * fan data, packages each (every precision is built and verified in TFLite 2.6.2) and prints Spearman and ROC-AUC
 * against the float reference. Not a test. Run from {@code sdk-training} after {@code ../mvnw -q -o test-compile
 * dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test}:
 * {@code java -cp "$(cat target/cp.txt):target/classes:target/test-classes"
 * io.gyrosentinel.training.bench.QuantizationBench [seeds]}.
 */
public final class QuantizationBench {
    private QuantizationBench() {
    }

    public static void main(String[] args) {
        int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        MachineSignal normal = new MachineSignal();
        System.out.println("| K (steps) | seed | best val loss | int16x8 Spearman / ROC-AUC (ref) | int16x8 passes "
                + "| int8 Spearman / ROC-AUC | int8 passes |");
        System.out.println("|---|---:|---:|---:|---|---:|---|");
        for (int k : new int[] {8, 4, 1}) {
            for (int seed = 1; seed <= seeds; seed++) {
                List<TimeSeries> train = List.of(normal.generate("a", 30, 10L * seed, SessionLabel.NORMAL),
                        normal.generate("b", 30, 10L * seed + 1, SessionLabel.NORMAL));
                TrainedModel model = AutoencoderTrainer.builder().windowLength(40).samplesPerStep(k).stride(10)
                        .maxEpochs(100).seed(seed).build().train(train);
                float[][] windows = normal.generate("c", 20, 10L * seed + 2, SessionLabel.NORMAL).windows(40, 10);
                List<float[]> faults = new ArrayList<>(List.of(new MachineSignal().imbalance(1.5)
                        .generate("imb", 10, 10L * seed + 3, SessionLabel.ANOMALOUS).windows(40, 10)));
                faults.addAll(List.of(new MachineSignal().bearingImpulses(0.5)
                        .generate("brg", 10, 10L * seed + 4, SessionLabel.ANOMALOUS).windows(40, 10)));
                // float32 requested: the integer models are built and verified for the report, and a failure there is
                // reported rather than thrown
                PackagingReport r = ModelPackager.builder().precision(Precision.FLOAT32).build()
                        .pack(model, windows, faults.toArray(new float[0][])).report();
                Verification q16 = r.int16x8();
                Verification q8 = r.int8();
                System.out.printf(Locale.ROOT, "| %d (%d) | %d | %.5f | %.4f / %.4f (%.4f) | %s | %.4f / %.4f | %s |%n",
                        k, 40 / k, seed, model.history().bestValidationLoss(), q16.spearman(), q16.rocAuc(),
                        q16.referenceRocAuc(), q16.passed() ? "yes" : "no", q8.spearman(), q8.rocAuc(),
                        q8.passed() ? "yes" : "no");
            }
        }
    }
}
