package io.gyrosentinel.training.packaging;

import io.gyrosentinel.model.DeviceModel;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.packaging.internal.TfliteEngineProvider;
import java.util.Locale;

/**
 * Host TFLite invoke time per window and the cost card of the default model (T=40, F=3, 8 samples per step,
 * 16/8 → 8/16).
 * Not a test. Run from {@code sdk-training} after {@code ../mvnw -q -o test-compile
 * dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test}:
 * {@code java -cp "$(cat target/cp.txt):target/classes:target/test-classes" io.gyrosentinel.training.packaging.PackagingBench}.
 */
public final class PackagingBench {
    private PackagingBench() {
    }

    public static void main(String[] args) {
        TrainedModel model = TestModels.random(TestModels.defaultArch(), 1);
        float[][] normal = TestModels.windows(model, 400, false, 2);
        float[][] anomalous = TestModels.windows(model, 100, true, 3);
        for (int stride : new int[] {40, 20, 10}) {
            long t0 = System.nanoTime();
            PackagedModel p = ModelPackager.builder().modelId("bench").stride(stride).sampleRateHz(3840).build()
                    .pack(model, normal, anomalous);
            long packMs = (System.nanoTime() - t0) / 1_000_000;
            PackagingReport r = p.report();
            for (CostCard c : r.costs().values()) {
                System.out.printf(Locale.ROOT, "stride %2d %-7s MACs/window %d, MACs/sample %.0f, ops/window %d, "
                        + "ops/sample %.1f, invokes/sample %.4f, %.2f ms/invoke, arena %d B, flash %d B%n  %s%n",
                        stride, c.precision().id(), c.macsPerWindow(), c.macsPerSample(), c.ops(), c.opsPerSample(),
                        c.invokesPerSample(), c.millisPerInvoke(), c.arenaBytes(), c.flashBytes(), c.verdict());
            }
            System.out.printf(Locale.ROOT, "stride %2d step layout (a) us/sample: %s; packaging took %d ms%n", stride,
                    r.stepLayoutMicros(), packMs);
            if (stride == 40) {
                r.verifications().values().forEach(System.out::println);
                System.out.println("manifest " + p.bundle().manifest().length + " B, payload " + p.bundle().payloadSize()
                        + " B");
            }
        }
        for (Precision pr : Precision.values()) {
            PackagedModel p = ModelPackager.builder().precision(pr).build().pack(model, normal, anomalous);
            try (DeviceModel dm = new TfliteEngineProvider().load(p.bundle())) {
                for (int i = 0; i < 2000; i++) {
                    dm.channelErrors(normal[i % normal.length]);
                }
                int n = 5000;
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    dm.channelErrors(normal[i % normal.length]);
                }
                double us = (System.nanoTime() - t0) / 1e3 / n;
                System.out.printf(Locale.ROOT, "host %s: %.1f us per window (channelErrors incl. normalise + invoke), "
                        + "%.3f us per sample at stride 40%n", pr.id(), us, us / 40);
            }
        }
    }
}
