package io.gyrosentinel.cli;

import io.gyrosentinel.integration.opcua.GyroOpcUaServer;
import io.gyrosentinel.integration.prometheus.DeviceMetrics;
import io.gyrosentinel.integration.prometheus.PrometheusEndpoint;
import io.gyrosentinel.integration.sparkplug.SparkplugEdgeNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Headless plant integration: streams from devices (or a simulated fleet) and serves them to plant systems.
 */
@Command(name = "bridge", mixinStandardHelpOptions = true,
        description = "Stream from devices and serve them to plant systems: OPC UA, Prometheus at /metrics, "
                + "Sparkplug B over MQTT.")
final class BridgeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOptions devices;

    @Option(names = "--prometheus", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://0.0.0.0:PORT/metrics (0: any free port)")
    Integer prometheusPort;

    @Option(names = "--opcua", paramLabel = "PORT",
            description = "Serve an OPC UA server (Basic256Sha256, users) at opc.tcp://ADDRESS:PORT/gyrosentinel "
                    + "(0: any free port)")
    Integer opcuaPort;

    @Option(names = "--opcua-bind", paramLabel = "ADDRESS",
            description = "Address of the OPC UA server (default: ${DEFAULT-VALUE}; 0.0.0.0 for the plant network)")
    String opcuaBind = "127.0.0.1";

    @Option(names = "--opcua-pki", paramLabel = "DIR", description = "The OPC UA server's certificate, key and trust "
            + "list (default: ~/.gyrosentinel/opcua-pki; trust a client by copying its certificate from "
            + "rejected/certs to trusted/certs)")
    Path opcuaPki;

    @Option(names = "--opcua-user", paramLabel = "NAME",
            description = "An OPC UA user; the password is read from GYROSENTINEL_OPCUA_PASSWORD")
    String opcuaUser;

    @Option(names = "--opcua-allow-anonymous", description = "Let anonymous clients browse, read and subscribe "
            + "(never call methods)")
    boolean opcuaAnonymous;

    @Option(names = "--opcua-insecure", description = "Also offer SecurityPolicy None (unencrypted messages)")
    boolean opcuaInsecure;

    @Option(names = "--sparkplug", paramLabel = "GROUP/NODE",
            description = "Publish every device as a Sparkplug B device under edge node NODE of group GROUP "
                    + "(needs --mqtt)")
    String sparkplug;

    @Option(names = "--mqtt", paramLabel = "BROKER-URI",
            description = "MQTT broker for Sparkplug B, as in device URIs: mqtt://host:1883, "
                    + "mqtts://host:8883?caFile=ca.pem&username=..&password=..")
    String mqtt;

    @Option(names = "--sparkplug-interval", converter = Durations.class, paramLabel = "DURATION",
            description = "Publish each device's score at most this often (default: ${DEFAULT-VALUE}); events go at once")
    Duration sparkplugInterval = Duration.ofSeconds(1);

    @Option(names = "--duration", converter = Durations.class, description = "Stop after this long (default: until Ctrl-C)")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        if (prometheusPort == null && sparkplug == null && opcuaPort == null) {
            throw new ParameterException(spec.commandLine(),
                    "Give at least one integration: --prometheus PORT, --opcua PORT, --sparkplug GROUP/NODE");
        }
        char[] opcuaPassword = null;
        if (opcuaPort != null) {
            if (opcuaUser != null) {
                String p = System.getenv("GYROSENTINEL_OPCUA_PASSWORD");
                if (p == null || p.isEmpty()) {
                    throw new ParameterException(spec.commandLine(), "--opcua-user " + opcuaUser
                            + ": set its password in the environment variable GYROSENTINEL_OPCUA_PASSWORD");
                }
                opcuaPassword = p.toCharArray();
            } else if (!opcuaAnonymous) {
                throw new ParameterException(spec.commandLine(), "--opcua: give --opcua-user NAME (password in "
                        + "GYROSENTINEL_OPCUA_PASSWORD) or --opcua-allow-anonymous");
            }
        }
        String[] node = null;
        if (sparkplug != null) {
            node = sparkplug.split("/", -1);
            if (node.length != 2 || node[0].isEmpty() || node[1].isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--sparkplug: GROUP/NODE, e.g. hall-3/gateway-1, "
                        + "not '" + sparkplug + "'");
            }
            if (mqtt == null) {
                throw new ParameterException(spec.commandLine(), "--sparkplug needs --mqtt BROKER-URI");
            }
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
            if (opcuaPort != null) {
                GyroOpcUaServer.Builder ob = GyroOpcUaServer.builder().port(opcuaPort).bindAddress(opcuaBind)
                        .pkiDirectory(opcuaPki != null ? opcuaPki : Path.of(System.getProperty("user.home"),
                                ".gyrosentinel", "opcua-pki"))
                        .allowAnonymous(opcuaAnonymous).allowInsecure(opcuaInsecure);
                if (opcuaUser != null) {
                    ob.user(opcuaUser, opcuaPassword);
                }
                GyroOpcUaServer ua = live.keep(ob.build());
                ua.start();
                for (LiveDevices.Live d : live.devices()) {
                    live.keep(ua.addDevice(d.watch()));
                }
                pw.printf("serving %d device(s) over OPC UA at %s (server certificate and trust list in %s)%n",
                        live.devices().size(), ua.endpointUrl(), ua.pkiDirectory());
            }
            if (node != null) {
                SparkplugEdgeNode edge = live.keep(SparkplugEdgeNode.builder().broker(mqtt).groupId(node[0])
                        .edgeNodeId(node[1]).minPublishInterval(sparkplugInterval).build());
                edge.start();
                for (LiveDevices.Live d : live.devices()) {
                    live.keep(edge.addDevice(d.watch()));
                }
                pw.printf("publishing %d device(s) as Sparkplug B devices of spBv1.0/%s/+/%s on %s%n",
                        live.devices().size(), Terminal.safe(node[0]), Terminal.safe(node[1]), Terminal.safe(mqtt));
            }
            pw.flush();
            Thread.sleep(duration == null ? Long.MAX_VALUE : duration.toMillis());
        }
        return 0;
    }
}
