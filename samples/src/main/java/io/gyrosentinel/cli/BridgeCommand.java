package io.gyrosentinel.cli;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.integration.prometheus.DeviceMetrics;
import io.gyrosentinel.integration.prometheus.PrometheusEndpoint;
import io.gyrosentinel.stream.GyroStream;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Headless plant integration: streams from devices and serves their metrics to Prometheus (OPC UA and Sparkplug B
 * are not built yet: issue #17).
 */
@Command(name = "bridge", mixinStandardHelpOptions = true,
        description = "Stream from devices and serve their metrics to plant systems (Prometheus at /metrics).")
final class BridgeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--device", required = true, description = "Device URI (repeatable)")
    List<String> devices;

    @Option(names = "--prometheus", required = true, paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://0.0.0.0:PORT/metrics (0: any free port)")
    int prometheusPort;

    @Option(names = "--duration", converter = Durations.class, description = "Stop after this long (default: until Ctrl-C)")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        PrintWriter pw = spec.commandLine().getOut();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<AutoCloseable> open = new ArrayList<>();
        try (PrometheusEndpoint http = PrometheusEndpoint.start(registry, prometheusPort)) {
            for (String uri : devices) {
                DeviceClient c = DeviceClient.connect(uri);
                open.add(c);
                DeviceMetrics m = new DeviceMetrics(registry, c.info().deviceId()).bind(c);
                open.add(m);
                GyroStream s = c.stream(StreamOptions.defaults());
                open.add(s);
                open.add(s.collectTo(m.collector()));
                pw.printf("bridging %s (%s)%n", Terminal.safe(c.info().deviceId()), Terminal.safe(uri));
            }
            pw.printf("serving Prometheus metrics of %d device(s) at http://0.0.0.0:%d/metrics%n", devices.size(),
                    http.port());
            pw.flush();
            Thread.sleep(duration == null ? Long.MAX_VALUE : duration.toMillis());
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    // closing what is left; the first failure already went to the user
                }
            }
        }
        return 0;
    }
}
