package io.gyrosentinel.transport.mqtt;

import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.internal.wire.WireCodec;
import io.gyrosentinel.internal.wire.v1.StartStreaming;
import io.gyrosentinel.internal.wire.v1.StopStreaming;
import io.gyrosentinel.sim.VirtualDevice;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load benchmark (a main, not a test): N VirtualDevices in real time (960 Hz, 3 axes, 24 samples
 * per batch = 40 messages/s each, QoS 0) through a local Mosquitto into one MqttFleet consumer.
 * Reports samples/s received, loss (sequence gaps and sent-vs-received), batch latency from the
 * device clock at the batch's last sample to receipt by the fleet, and CPU of this JVM and of
 * Mosquitto.
 *
 * <pre>
 * ./mvnw -B -q -o -pl sdk-transport-mqtt test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.gyrosentinel.transport.mqtt.MqttLoadBench -Dexec.args="10,50,100 10"
 * </pre>
 */
public final class MqttLoadBench {
    private static final int BATCH = 24;
    private static final double ODR = 960;

    public static void main(String[] args) throws Exception {
        int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "10,50,100").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.out.printf("cores=%d, %d s per run, %s Hz x 3 axes, batch %d, sample QoS 0%n",
                Runtime.getRuntime().availableProcessors(), seconds, ODR, BATCH);
        System.out.println("devices | samples/s | batches recv/sent | lost (gaps) | latency p50 / p99 / max ms"
                + " | JVM CPU | mosquitto CPU");
        for (int n : sizes) {
            run(n, seconds);
        }
        System.exit(0); // Paho leaves non-daemon timer threads behind
    }

    private static void run(int n, int seconds) throws Exception {
        System.gc();
        try (MosquittoBroker broker = MosquittoBroker.start(MosquittoBroker.Config.plain()
                .maxQueuedMessages(1_000_000))) {
            Map<String, VirtualDevice> devices = new ConcurrentHashMap<>();
            List<MqttDeviceBridge> bridges = new ArrayList<>();
            SensorConfig cfg = SensorConfig.builder().odrHz(ODR).batchSize(BATCH).build();
            for (int i = 0; i < n; i++) {
                String id = "bench-" + i;
                VirtualDevice d = VirtualDevice.builder().deviceId(id).config(cfg).seed(i).build();
                devices.put(id, d);
                bridges.add(MqttDeviceBridge.attach(d, broker.uri()));
            }
            try (MqttFleet fleet = MqttFleet.builder().broker(broker.uri()).bufferSize(1 << 16).build()) {
                AtomicLong received = new AtomicLong();
                AtomicLong samples = new AtomicLong();
                AtomicLong measuring = new AtomicLong(); // 0 warm-up, 1 measuring, 2 done
                long[] lat = new long[n * 40 * (seconds + 5)];
                AtomicLong latCount = new AtomicLong();
                fleet.batches().subscribe(new Flow.Subscriber<>() {
                    public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
                    public void onNext(DeviceBatch b) {
                        received.incrementAndGet();
                        if (measuring.get() != 1) {
                            return;
                        }
                        samples.addAndGet(b.count());
                        VirtualDevice d = devices.get(b.deviceId());
                        long deviceNowAtReceipt = d.nowMicros() - (System.nanoTime() - b.receivedNanos()) / 1000;
                        long lastSample = b.timestampMicros() + (b.count() * b.periodNanos()) / 1000;
                        int k = (int) latCount.getAndIncrement();
                        if (k < lat.length) {
                            lat[k] = deviceNowAtReceipt - lastSample;
                        }
                    }
                    public void onError(Throwable t) { }
                    public void onComplete() { }
                });
                byte[] start = WireCodec.envelope(1).setStartStreaming(StartStreaming.newBuilder()).build().toByteArray();
                VirtualDevice.Uplink discard = env -> { };
                for (VirtualDevice d : devices.values()) {
                    d.onEnvelope(start, 0, start.length, discard);
                    d.detach(discard);
                }
                Thread.sleep(3000);
                long cpu0 = processCpuNanos();
                long mq0 = procCpuNanos(broker.pid());
                long t0 = System.nanoTime();
                long sentBefore = sent(devices);
                long recvBefore = received.get();
                measuring.set(1);
                Thread.sleep(seconds * 1000L);
                measuring.set(2);
                double el = (System.nanoTime() - t0) / 1e9;
                double cpu = (processCpuNanos() - cpu0) / 1e9 / el;
                double mq = (procCpuNanos(broker.pid()) - mq0) / 1e9 / el;
                long sampleCount = samples.get();
                byte[] stop = WireCodec.envelope(2).setStopStreaming(StopStreaming.newBuilder()).build().toByteArray();
                for (VirtualDevice d : devices.values()) {
                    d.onEnvelope(stop, 0, stop.length, discard);
                    d.detach(discard);
                }
                Thread.sleep(1500); // drain
                long sent = sent(devices);
                long recv = received.get();
                int m = (int) Math.min(latCount.get(), lat.length);
                long[] l = Arrays.copyOf(lat, m);
                Arrays.sort(l);
                System.out.printf("%7d | %9.0f | %d / %d | %d (%d) | %.1f / %.1f / %.1f | %.2f cores | %.2f cores%n",
                        n, sampleCount / el, recv, sent, sent - recv, fleet.stats().missingBatches(),
                        pct(l, 50) / 1000.0, pct(l, 99) / 1000.0, m == 0 ? 0 : l[m - 1] / 1000.0, cpu, mq);
                if (recvBefore > sentBefore) {
                    System.out.println("  (note: received more than sent before measuring?)");
                }
            } finally {
                bridges.forEach(MqttDeviceBridge::close);
                devices.values().forEach(VirtualDevice::close);
            }
        }
    }

    private static long sent(Map<String, VirtualDevice> devices) {
        return devices.values().stream().mapToLong(VirtualDevice::batchesSent).sum();
    }

    private static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** utime + stime of a process from /proc, in ns (Linux). */
    private static long procCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10_000_000L; // USER_HZ = 100
        } catch (Exception e) {
            return 0;
        }
    }
}
