package io.gyrosentinel.sim;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.transport.Endpoint;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.TransportProvider;
import io.gyrosentinel.transport.TransportStats;

import java.util.Set;

/**
 * The {@code sim:} scheme: each transport starts its own {@link VirtualDevice}.
 * Parameters: {@code id}, {@code seed} (the machine), {@code session} (its recording session: the noise), {@code rpm}, {@code noise}, {@code realtime} (default
 * true), {@code fault} (imbalance, bearing, looseness, drift) with {@code severity}, and the
 * initial sensor configuration {@code odr}, {@code fs}, {@code batch}; {@code trustedKey} (a public-key
 * PEM file: the device then accepts only bundles signed by it) and {@code slotKiB} (model slot size).
 * Example: {@code sim:?rpm=1800&fault=imbalance&severity=0.5&realtime=false}.
 */
public final class SimTransportProvider implements TransportProvider {
    /** Created by {@link java.util.ServiceLoader} (it is listed in {@code META-INF/services}). */
    public SimTransportProvider() {
    }

    private static final Set<String> PARAMS = Set.of("id", "seed", "session", "rpm", "noise", "realtime", "fault", "severity",
            "odr", "fs", "batch", "trustedKey", "slotKiB", "outageAt", "outageFor");

    @Override
    public Set<String> schemes() {
        return Set.of("sim");
    }

    @Override
    public String description() {
        return "simulated device (VirtualDevice, in-process)";
    }

    @Override
    public Transport open(Endpoint e) {
        e.requireKnownParams(PARAMS);
        String id = e.param("id", e.path().isEmpty() ? "virtual-1" : e.path());
        SensorConfig.Builder cb = SensorConfig.builder();
        if (e.params().containsKey("odr")) cb.odrHz(e.doubleParam("odr", 960));
        if (e.params().containsKey("fs")) cb.fullScaleDps(e.intParam("fs", 250));
        if (e.params().containsKey("batch")) cb.batchSize(e.intParam("batch", io.gyrosentinel.DeviceLimits.DEFAULT_BATCH_SIZE));
        SensorConfig config = cb.build(); // its INVALID_ARGUMENT (field odr_hz, ...) is reported as it is
        VirtualDevice dev;
        try {
            MachineModel m = MachineModel.fan(e.doubleParam("rpm", 1500));
            if (e.params().containsKey("noise")) {
                m = m.withNoise(e.doubleParam("noise", 0.15));
            }
            VirtualDevice.Builder b = VirtualDevice.builder().deviceId(id).seed(e.longParam("seed", 1))
                    .session(e.intParam("session", 0)).machine(m)
                    .realTime(e.boolParam("realtime", true)).config(config);
            if (e.params().containsKey("trustedKey")) {
                b.trustedKey(io.gyrosentinel.model.SigningKeys.readPublicKey(java.nio.file.Path.of(e.param("trustedKey", ""))));
            }
            if (e.params().containsKey("slotKiB")) {
                b.slotSize(e.intParam("slotKiB", 256) * 1024);
            }
            if (e.params().containsKey("outageAt") || e.params().containsKey("outageFor")) {
                b.linkOutage(java.time.Duration.ofMillis(Math.round(e.doubleParam("outageAt", 0) * 1000)),
                        java.time.Duration.ofMillis(Math.round(e.doubleParam("outageFor", 1) * 1000)));
            }
            String fault = e.param("fault", "none");
            if (!fault.equals("none")) {
                b.fault(Fault.parse(fault, e.doubleParam("severity", 0.5)));
            }
            dev = b.build();
        } catch (GyroSentinelException ex) {
            // a bad rpm, noise, fault, severity or slotKiB value: the URI is wrong
            if (ex.code() != ErrorCode.INVALID_ARGUMENT) {
                throw ex;
            }
            throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + e.redacted() + "': "
                    + ex.detail(), ex);
        } catch (IllegalArgumentException ex) {
            // from the JDK, e.g. an invalid trustedKey path (InvalidPathException)
            throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + e.redacted() + "': " + ex.getMessage(), ex);
        }
        Transport inner = dev.newTransport();
        return new Transport() {
            public void start(Listener l) { inner.start(l); }
            public void send(byte[] env) { inner.send(env); }
            public String describe() { return e.redacted(); }
            public TransportStats stats() { return inner.stats(); }
            public void close() {
                try {
                    inner.close();
                } finally {
                    dev.close();
                }
            }
        };
    }
}
