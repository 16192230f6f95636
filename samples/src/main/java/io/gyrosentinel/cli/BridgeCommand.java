package io.gyrosentinel.cli;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.integration.prometheus.DeviceMetrics;
import io.gyrosentinel.integration.prometheus.PrometheusEndpoint;
import io.gyrosentinel.stream.GyroStream;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Headless plant integration: streams from devices (or a simulated fleet) and serves them to plant systems.
 */
@Command(name = "bridge", mixinStandardHelpOptions = true,
        description = "Stream from devices and serve them to plant systems: Prometheus at /metrics.")
final class BridgeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--device", paramLabel = "URI", description = "Device URI (repeatable)")
    List<String> devices = new ArrayList<>();

    @Option(names = "--demo", paramLabel = "N",
            description = "Also start N simulated fans running an on-device model, every third with a fault for "
                    + "15 s in every minute")
    int demo;

    @Option(names = "--prometheus", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://0.0.0.0:PORT/metrics (0: any free port)")
    Integer prometheusPort;

    @Option(names = "--duration", converter = Durations.class, description = "Stop after this long (default: until Ctrl-C)")
    Duration duration;

    /** What runs until the end, closed in reverse order. */
    private final List<AutoCloseable> open = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (devices.isEmpty() && demo == 0) {
            throw new ParameterException(spec.commandLine(), "Give at least one --device URI, or --demo N");
        }
        if (prometheusPort == null) {
            throw new ParameterException(spec.commandLine(), "Give at least one integration: --prometheus PORT");
        }
        PrintWriter pw = spec.commandLine().getOut();
        try {
            List<DeviceClient> clients = new ArrayList<>();
            for (String uri : devices) {
                DeviceClient c = DeviceClient.connect(uri);
                open.add(c);
                clients.add(c);
                pw.printf("bridging %s (%s)%n", Terminal.safe(c.info().deviceId()), Terminal.safe(uri));
            }
            if (demo > 0) {
                pw.printf("starting %d simulated fans (training their model takes a few seconds) ...%n", demo);
                pw.flush();
                DemoFleet fleet = DemoFleet.start(demo);
                open.add(fleet);
                clients.addAll(fleet.clients());
                pw.printf("bridging %d simulated fans demo-fan-01 ... (faults on demo-fan-02, -05, ...)%n", demo);
            }
            PrometheusMeterRegistry registry = null;
            if (prometheusPort != null) {
                registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                PrometheusEndpoint http = PrometheusEndpoint.start(registry, prometheusPort);
                open.add(http);
                pw.printf("serving Prometheus metrics of %d device(s) at http://0.0.0.0:%d/metrics%n", clients.size(),
                        http.port());
            }
            for (DeviceClient c : clients) {
                DeviceWatch watch = DeviceWatch.follow(c);
                open.add(watch);
                GyroStream s = c.stream(StreamOptions.defaults());
                open.add(s);
                open.add(s.collectTo(watch.collector()));
                if (registry != null) {
                    DeviceMetrics m = new DeviceMetrics(registry, c.info().deviceId()).bind(c);
                    open.add(m);
                    open.add(s.collectTo(m.collector()));
                }
            }
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
