package io.gyrosentinel.cli;

import io.gyrosentinel.integration.prometheus.DeviceMetrics;
import io.gyrosentinel.integration.prometheus.PrometheusEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Headless plant integration: streams from devices (or a simulated fleet) and serves them to plant systems.
 */
@Command(name = "bridge", mixinStandardHelpOptions = true,
        description = "Stream from devices and serve them to plant systems: Prometheus at /metrics.")
final class BridgeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOptions devices;

    @Option(names = "--prometheus", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://0.0.0.0:PORT/metrics (0: any free port)")
    Integer prometheusPort;

    @Option(names = "--duration", converter = Durations.class, description = "Stop after this long (default: until Ctrl-C)")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        if (prometheusPort == null) {
            throw new ParameterException(spec.commandLine(), "Give at least one integration: --prometheus PORT");
        }
        PrintWriter pw = spec.commandLine().getOut();
        try (LiveDevices live = devices.open(pw)) {
            if (prometheusPort != null) {
                PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                for (LiveDevices.Live d : live.devices()) {
                    DeviceMetrics m = live.keep(new DeviceMetrics(registry, d.watch().deviceId()).bind(d.client()));
                    live.keep(d.stream().collectTo(m.collector()));
                }
                PrometheusEndpoint http = live.keep(PrometheusEndpoint.start(registry, prometheusPort));
                pw.printf("serving Prometheus metrics of %d device(s) at http://0.0.0.0:%d/metrics%n",
                        live.devices().size(), http.port());
            }
            pw.flush();
            Thread.sleep(duration == null ? Long.MAX_VALUE : duration.toMillis());
        }
        return 0;
    }
}
