package io.gyrosentinel.console;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.testing.SimulatedFan;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * Load benchmark (a main, not a test): N simulated devices in real time (960 Hz, 3 axes, a moving-average model on
 * each device scoring 24 windows/s) in this JVM, followed by the console, with one headless Chromium on the fleet
 * page. Every 5 s one device gets a fault for 4 s. Reports the JVM's CPU with the devices alone and with the
 * console and browser, the time from a device's event (host clock, when the client delivers it) to the page's card
 * turning red (the page's clock: the same machine), and the heap after the run.
 *
 * <pre>
 * ./mvnw -B -q -o -pl console test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.gyrosentinel.console.ConsoleLoadBench -Dexec.args="100 600"
 * </pre>
 */
public final class ConsoleLoadBench {
    private ConsoleLoadBench() {
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        int cores = Runtime.getRuntime().availableProcessors();
        List<AutoCloseable> open = new ArrayList<>();
        List<VirtualDevice> devices = new ArrayList<>();
        List<DeviceWatch> watches = new ArrayList<>();
        Map<String, List<Long>> events = new ConcurrentHashMap<>();
        for (int i = 0; i < n; i++) {
            SimulatedFan fan = new SimulatedFan(VirtualDevice.builder()
                    .deviceId(String.format(Locale.ROOT, "dev-%03d", i)).seed(i + 1), true);
            open.add(fan);
            devices.add(fan.dev);
            DeviceWatch w = fan.watch;
            watches.add(w);
            w.listen(new DeviceWatch.Listener() {
                @Override
                public void onEvent(DeviceWatch.State s, AnomalyEvent e) {
                    if (e.state() == AnomalyEvent.State.STARTED) {
                        events.computeIfAbsent(s.deviceId(), k -> new CopyOnWriteArrayList<>())
                                .add(System.currentTimeMillis());
                    }
                }
            });
        }
        System.out.printf(Locale.ROOT, "%d devices streaming at 960 Hz, %d cores; warming up 20 s%n", n, cores);
        Thread.sleep(20_000);
        double c0 = cpuSeconds();
        long t0 = System.nanoTime();
        Thread.sleep(30_000);
        double devicesOnly = (cpuSeconds() - c0) / ((System.nanoTime() - t0) / 1e9) / cores;
        System.out.printf(Locale.ROOT, "devices alone: JVM CPU %.1f %% of %d cores%n", 100 * devicesOnly, cores);

        Path db = Files.createTempDirectory("gs-console-bench");
        Path profile = Files.createTempDirectory("gs-chromium");
        Console console = Console.builder().port(0).database("jdbc:h2:file:" + db.resolve("console")).start();
        for (DeviceWatch w : watches) {
            open.add(console.follow(w));
        }
        WebDriver browser = ConsoleBrowserTest.chromium(profile);
        browser.get(console.url());
        Thread.sleep(5_000);
        System.gc();
        c0 = cpuSeconds();
        t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        int k = 0;
        long faults = 0;
        while (System.nanoTime() < end) {
            VirtualDevice d = devices.get((k * 37) % n);
            k++;
            d.injectFault(new Fault.Imbalance(2.0));
            faults++;
            Thread.sleep(4_000);
            d.clearFaults();
            Thread.sleep(1_000);
        }
        double withConsole = (cpuSeconds() - c0) / ((System.nanoTime() - t0) / 1e9) / cores;
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> marks = (List<Map<String, Object>>) ((JavascriptExecutor) browser)
                .executeScript("return window.gsMarks || []");
        // the first red of a device's card after each of its events
        List<Long> lags = new ArrayList<>();
        for (Map.Entry<String, List<Long>> e : events.entrySet()) {
            List<Long> reds = marks.stream().filter(m -> e.getKey().equals(m.get("id")))
                    .map(m -> ((Number) m.get("at")).longValue()).sorted().toList();
            for (long at : e.getValue()) {
                reds.stream().filter(r -> r >= at - 5).findFirst().ifPresent(r -> lags.add(r - at));
            }
        }
        long[] l = lags.stream().mapToLong(Long::longValue).sorted().toArray();
        System.gc();
        Thread.sleep(500);
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(Locale.ROOT, "with console + 1 browser on the fleet page: JVM CPU %.1f %% of %d cores "
                + "(console share ~%.1f %%)%n", 100 * withConsole, cores, 100 * (withConsole - devicesOnly));
        System.out.printf(Locale.ROOT, "%d faults, %d events, %d seen red on the page; event -> red card ms: p50 %d, "
                + "p99 %d, max %d%n", faults, events.values().stream().mapToInt(List::size).sum(), l.length,
                pct(l, 0.5), pct(l, 0.99), l.length == 0 ? -1 : l[l.length - 1]);
        System.out.printf(Locale.ROOT, "heap used after GC at the end (%d s): %.0f MB%n", seconds, heap / 1e6);
        browser.quit();
        console.close();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        System.exit(0);
    }

    private static long pct(long[] sorted, double q) {
        return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }
}
