package io.gyrosentinel.integration.opcua;

import io.gyrosentinel.integration.opcua.OpcUaTestSupport.ClientCert;
import io.gyrosentinel.testing.SimulatedFan;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.identity.UsernameProvider;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;

/**
 * Load benchmark (a main, not a test): N simulated fans (VirtualDevice in real time, 960 Hz, MovingAverageEngine on
 * the device, about 24 scored windows/s each, streaming to their DeviceClient), each followed by a DeviceWatch and
 * served by one GyroOpcUaServer; one Milo client over Basic256Sha256 / SignAndEncrypt subscribes to every Score at
 * 10 Hz (sampling and publishing 100 ms). Reports notifications/s, latency from the value's set time (its source
 * timestamp) to the client's listener (p50 / p99 / max), this JVM's CPU without and with the subscription, and heap
 * after a GC. Devices, server and client share the JVM, so the CPU includes the simulated devices.
 *
 * <pre>
 * ./mvnw -B -q -o -pl sdk-integration-opcua test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.gyrosentinel.integration.opcua.OpcUaLoadBench -Dexec.args="100 60"
 * </pre>
 */
public final class OpcUaLoadBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        System.out.printf("cores=%d, %d devices, %d s measured, Score subscribed at 10 Hz%n",
                Runtime.getRuntime().availableProcessors(), n, seconds);
        Path pki = Files.createTempDirectory("opcua-bench-pki");
        ClientCert cert = OpcUaTestSupport.clientCert();
        cert.trustIn(pki);
        List<SimulatedFan> fans = new ArrayList<>();
        try (GyroOpcUaServer opc = GyroOpcUaServer.builder().port(0).pkiDirectory(pki)
                .user("bench", OpcUaTestSupport.PASSWORD).build().start()) {
            for (int i = 0; i < n; i++) {
                SimulatedFan f = new SimulatedFan(String.format("fan-%03d", i), true);
                fans.add(f);
                opc.addDevice(f.watch);
            }
            Thread.sleep(3000);
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            Thread.sleep(10_000);
            double baseline = (cpuNanos() - c0) / 1e9 / ((System.nanoTime() - t0) / 1e9);
            long windows0 = fans.stream().mapToLong(f -> f.watch.state().windows()).sum();

            OpcUaClient c = OpcUaTestSupport.connect(opc.endpointUrl(), SecurityPolicy.Basic256Sha256, cert,
                    new UsernameProvider("bench", new String(OpcUaTestSupport.PASSWORD)));
            int ns = c.getNamespaceTable().getIndex(GyroOpcUaServer.NAMESPACE_URI).intValue();
            OpcUaSubscription sub = new OpcUaSubscription(c, 100.0);
            sub.create();
            AtomicLong count = new AtomicLong();
            AtomicLong measuring = new AtomicLong();
            long[] lat = new long[n * 10 * (seconds + 5)];
            AtomicLong latCount = new AtomicLong();
            List<OpcUaMonitoredItem> items = new ArrayList<>();
            for (SimulatedFan f : fans) {
                OpcUaMonitoredItem item = OpcUaMonitoredItem.newDataItem(new NodeId(ns, f.watch.deviceId() + "/Score"));
                item.setSamplingInterval(100.0);
                item.setDataValueListener((it, v) -> {
                    long now = nowMicros();
                    if (measuring.get() != 1) {
                        return;
                    }
                    count.incrementAndGet();
                    DateTime src = v.getSourceTime();
                    if (src != null) {
                        int k = (int) latCount.getAndIncrement();
                        if (k < lat.length) {
                            lat[k] = now - micros(src);
                        }
                    }
                });
                items.add(item);
            }
            sub.addMonitoredItems(items);
            sub.synchronizeMonitoredItems();
            Thread.sleep(3000);
            long c1 = cpuNanos();
            long t1 = System.nanoTime();
            long windows1 = fans.stream().mapToLong(f -> f.watch.state().windows()).sum();
            measuring.set(1);
            Thread.sleep(seconds * 1000L);
            measuring.set(2);
            double el = (System.nanoTime() - t1) / 1e9;
            double cpu = (cpuNanos() - c1) / 1e9 / el;
            long windows2 = fans.stream().mapToLong(f -> f.watch.state().windows()).sum();
            int m = (int) Math.min(latCount.get(), lat.length);
            long[] l = Arrays.copyOf(lat, m);
            Arrays.sort(l);
            sub.delete();
            c.disconnect();
            System.gc();
            Thread.sleep(500);
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            System.out.printf("windows scored/s (all devices): %.0f before, %.0f while subscribed%n",
                    (windows1 - windows0) / ((t1 - t0) / 1e9), (windows2 - windows1) / el);
            System.out.printf("notifications/s: %.0f (ideal %d)%n", count.get() / el, n * 10);
            System.out.printf("latency set -> client listener ms: p50 %.1f / p99 %.1f / max %.1f (%d samples)%n",
                    pct(l, 50) / 1000.0, pct(l, 99) / 1000.0, m == 0 ? 0 : l[m - 1] / 1000.0, m);
            System.out.printf("JVM CPU: %.2f cores without the subscription, %.2f cores with it%n", baseline, cpu);
            System.out.printf("heap after GC: %.0f MiB%n", heap / 1048576.0);
        } finally {
            for (SimulatedFan f : fans) {
                try {
                    f.close();
                } catch (Exception ignored) {
                    // shutting down
                }
            }
        }
        System.exit(0);
    }

    private static long nowMicros() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000 + i.getNano() / 1000;
    }

    private static long micros(DateTime t) {
        Instant i = t.getJavaInstant();
        return i.getEpochSecond() * 1_000_000 + i.getNano() / 1000;
    }

    private static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
