package io.gyrosentinel.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code --device URI}... and {@code --demo N}, shared by {@code bridge} and {@code serve}. */
final class DeviceOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--device", paramLabel = "URI", description = "Device URI (repeatable)")
    List<String> devices = new ArrayList<>();

    @Option(names = "--demo", paramLabel = "N",
            description = "Also start N simulated fans running an on-device model, every third with a fault for "
                    + "15 s in every minute")
    int demo;

    /** {@return whether the command line names no device} */
    boolean none() {
        return devices.isEmpty() && demo == 0;
    }

    /** Connects and streams the devices; refuses a command line that names none. */
    LiveDevices open(PrintWriter pw) {
        if (devices.isEmpty() && demo == 0) {
            throw new ParameterException(mixee.commandLine(), "Give at least one --device URI, or --demo N");
        }
        return LiveDevices.open(devices, demo, pw);
    }
}
