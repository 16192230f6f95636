package io.gyrosentinel.training.bench;

import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.training.AutoencoderTrainer;
import io.gyrosentinel.training.EvaluationReport;
import io.gyrosentinel.training.MachineSignal;
import io.gyrosentinel.training.TimeSeries;
import io.gyrosentinel.training.TrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Training benchmark: the default model on 5 minutes of 200 Hz 3-axis synthetic data.
 * Reports seconds per epoch, time to early stop and peak RSS (VmHWM). Not a unit test.
 *
 * <pre>
 * cd sdk-training && ../mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) io.gyrosentinel.training.bench.TrainingBench [threads [samplesPerStep]]
 * </pre>
 */
public final class TrainingBench {
    public static void main(String[] args) throws IOException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int samplesPerStep = args.length > 1 ? Integer.parseInt(args[1]) : 0; // 0: the trainer's default
        long t0 = System.nanoTime();
        // 5 minutes in five 1-minute sessions: each session runs at a slightly different speed (+-1 %), as real
        // recordings do. A single 5-minute session trains a model that over-fits that one speed.
        List<TimeSeries> normal = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            normal.add(new MachineSignal().generate("bench-normal-" + i, 60, 1 + i, SessionLabel.NORMAL));
        }
        AutoencoderTrainer trainer = AutoencoderTrainer.builder().threads(threads).samplesPerStep(samplesPerStep)
                .listener(r -> System.out.printf("epoch %3d  train %.5f  val %.5f  lr %.5f  %.3f s%n", r.epoch(),
                        r.trainLoss(), r.validationLoss(), r.learningRate(), r.epochTime().toNanos() / 1e9))
                .build();
        long t1 = System.nanoTime();
        TrainedModel model = trainer.train(normal);
        long t2 = System.nanoTime();
        var h = model.history();
        double epochSeconds = h.epochs().stream().skip(1).mapToDouble(e -> e.epochTime().toNanos() / 1e9)
                .average().orElse(Double.NaN);
        System.out.printf("windows: %d train, %d validation (T=%d, %d samples per step, stride %d, batch 32), threads %d%n",
                h.trainingWindows(), h.validationWindows(), model.architecture().windowLength(),
                model.architecture().samplesPerStep(), h.windowStride(), threads);
        System.out.printf("first epoch (graph build + TF load): %.3f s%n", h.epochs().get(0).epochTime().toNanos() / 1e9);
        System.out.printf("seconds/epoch (epochs 2..): %.3f%n", epochSeconds);
        System.out.printf("epochs run: %d (%s), best epoch %d, best val loss %.5f%n", h.epochs().size(),
                h.stopReason(), h.bestEpoch(), h.bestValidationLoss());
        System.out.printf("time to stop (train() call): %.1f s; data generation %.1f s%n", (t2 - t1) / 1e9,
                (t1 - t0) / 1e9);
        long s0 = System.nanoTime();
        EvaluationReport rep = model.evaluate(List.of(new MachineSignal().generate("n", 60, 100, SessionLabel.NORMAL),
                new MachineSignal().bearingImpulses(0.5).generate("b", 60, 101, SessionLabel.ANOMALOUS),
                new MachineSignal().imbalance(1.5).generate("i", 60, 102, SessionLabel.ANOMALOUS)));
        long s1 = System.nanoTime();
        System.out.printf("scoring %d windows (pure Java): %.3f s; %s%n", rep.windows().size(), (s1 - s0) / 1e9, rep);
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM") || line.startsWith("VmRSS")) {
                System.out.println(line.replaceAll("\\s+", " "));
            }
        }
    }
}
