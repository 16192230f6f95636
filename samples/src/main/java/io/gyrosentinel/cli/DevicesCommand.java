package io.gyrosentinel.cli;

import io.gyrosentinel.transport.TransportProvider;
import io.gyrosentinel.transport.Transports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the installed transports and the devices they can see.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var pw = spec.commandLine().getOut();
        pw.println("transports:");
        for (Map.Entry<String, TransportProvider> e : Transports.installed().entrySet()) {
            pw.printf("  %-8s %s%n", e.getKey() + ":", e.getValue().description());
        }
        pw.println("simulated: sim:?rpm=1500&seed=1 (add fault=imbalance|bearing|looseness|drift&severity=0.5)");
        return 0;
    }
}
