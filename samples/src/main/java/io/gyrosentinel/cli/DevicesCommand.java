package io.gyrosentinel.cli;

import io.gyrosentinel.transport.TransportProvider;
import io.gyrosentinel.transport.Transports;
import io.gyrosentinel.transport.mqtt.DeviceStatus;
import io.gyrosentinel.transport.mqtt.MqttFleet;
import io.gyrosentinel.transport.serial.SerialPortInfo;
import io.gyrosentinel.transport.serial.SerialPorts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the installed transports, the serial ports, and (with --broker) the devices of an MQTT fleet.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--broker", description = "MQTT broker URI to discover devices on, e.g. mqtt://localhost:1883")
    String broker;

    @Option(names = "--wait", converter = Durations.class, defaultValue = "1s",
            description = "How long to collect retained device status from the broker (default: ${DEFAULT-VALUE})")
    Duration wait;

    @Override
    public Integer call() throws Exception {
        var pw = spec.commandLine().getOut();
        pw.println("transports:");
        for (Map.Entry<String, TransportProvider> e : Transports.installed().entrySet()) {
            pw.printf("  %-8s %s%n", e.getKey() + ":", e.getValue().description());
        }
        pw.println("serial ports:");
        var ports = SerialPorts.list();
        if (ports.isEmpty()) {
            pw.println("  (none found)");
        }
        for (SerialPortInfo p : ports) {
            pw.printf("  %-28s %s%s%n", p.uri(), p.description(), p.usbId().isEmpty() ? "" : " [" + p.usbId() + "]");
        }
        if (broker != null) {
            try (MqttFleet fleet = MqttFleet.builder().broker(broker).build()) {
                Thread.sleep(wait.toMillis());
                pw.printf("MQTT devices on %s:%n", broker);
                if (fleet.devices().isEmpty()) {
                    pw.println("  (none announced)");
                }
                for (DeviceStatus s : fleet.devices().values()) {
                    // device-supplied text: never raw escape sequences on the user's terminal
                    pw.printf("  %-20s %-8s firmware %s%s%n", Terminal.safe(s.deviceId()),
                            s.online() ? "online" : "offline", Terminal.safe(s.firmware()),
                            s.reason().isEmpty() ? "" : " (" + Terminal.safe(s.reason()) + ")");
                }
            }
        }
        pw.println("simulated: sim:?rpm=1500&seed=1 (add fault=imbalance|bearing|looseness|drift&severity=0.5)");
        return 0;
    }
}
