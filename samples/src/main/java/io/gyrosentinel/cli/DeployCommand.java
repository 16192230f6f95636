package io.gyrosentinel.cli;

import io.gyrosentinel.client.DeployOptions;
import io.gyrosentinel.client.DeployResult;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.model.ModelBundle;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Deploy a model bundle to a device over its link: chunked, resumable (run it again after an "
                + "interruption and it continues), verified and signed-checked by the device, A/B slots with rollback.")
final class DeployCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bundle", required = true, description = "Bundle file (.gsb)")
    Path bundle;

    @Option(names = "--device", required = true, description = "Device URI")
    String device;

    @Option(names = "--no-activate", description = "Store the model in the inactive slot without switching to it")
    boolean noActivate;

    @Override
    public Integer call() {
        ModelBundle b = ModelBundle.read(bundle);
        var pw = spec.commandLine().getOut();
        try (DeviceClient c = DeviceClient.connect(device)) {
            DeployResult r;
            try (ProgressBar bar = Progress.bar("deploy " + b.modelId(), b.payloadSize(), "B")) {
                r = c.deploy(b, DeployOptions.builder().activate(!noActivate)
                        .onProgress((sent, total) -> bar.stepTo(sent)).build());
            }
            pw.printf(Locale.ROOT, "deployed %s (%d bytes, sha256 %s) to %s slot %d%s in %d ms%s%n", r.modelId(),
                    b.payloadSize(), r.sha256(), Terminal.safe(c.info().deviceId()), r.slot(), r.activated() ? ", active" : "",
                    r.elapsed().toMillis(), r.resumedFrom() > 0 ? " (resumed from byte " + r.resumedFrom() + ")" : "");
            if (r.activated() && !r.runsInference()) {
                pw.println("warning: the device keeps this model but runs no inference (no results, no anomaly "
                        + "events): it has no inference runtime (a sim: device needs io.gyrosentinel:sdk-training "
                        + "on this host's class path)");
            }
        }
        return 0;
    }
}
