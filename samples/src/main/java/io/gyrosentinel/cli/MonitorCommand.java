package io.gyrosentinel.cli;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.collect.Collector;
import io.gyrosentinel.stream.GyroStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = "Show a device's live signal level, scores and anomaly events.")
final class MonitorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--device", required = true, description = "Device URI")
    String device;

    @Option(names = "--duration", converter = Durations.class, description = "Stop after this long (default: until Ctrl-C)")
    Duration duration;

    @Option(names = "--interval", converter = Durations.class, defaultValue = "1s", description = "Print every (default: ${DEFAULT-VALUE})")
    Duration interval;

    /** x, y, z for a 3-axis model, else ch0, ch1, … (the CLI's names for a model's channels). */
    static String channelName(int k, int channels) {
        return channels == 3 ? String.valueOf("xyz".charAt(k)) : "ch" + k;
    }

    /** Each channel's share of the score, e.g. " shares x 12 % y 80 % z 8 %" (empty when the device sent none). */
    static String shares(float[] channelScores) {
        double[] share = shareOf(channelScores);
        if (channelScores.length < 2 || share == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" shares");
        for (int k = 0; k < share.length; k++) {
            sb.append(String.format(java.util.Locale.ROOT, " %s %.0f %%", channelName(k, share.length), 100 * share[k]));
        }
        return sb.toString();
    }

    /** Each channel's fraction of the score (negative contributions count as 0), or null when nothing is positive. */
    static double[] shareOf(float[] channelScores) {
        double sum = 0;
        for (float v : channelScores) {
            sum += Math.max(0, v);
        }
        if (!(sum > 0)) {
            return null;
        }
        double[] share = new double[channelScores.length];
        for (int k = 0; k < share.length; k++) {
            share[k] = Math.max(0, channelScores[k]) / sum;
        }
        return share;
    }

    @Override
    public Integer call() {
        PrintWriter pw = spec.commandLine().getOut();
        try (DeviceClient c = DeviceClient.connect(device)) {
            pw.printf("monitoring %s (%s), %.1f Hz%n", Terminal.safe(c.info().deviceId()), Terminal.safe(c.info().firmwareVersion()),
                    c.config().sampleRateHz());
            AutoCloseable results = c.collectTo(new Collector() {
                @Override
                public void onResult(InferenceResult r) {
                    synchronized (pw) {
                        pw.printf("window %d score %.4f threshold %.4f %s (%d µs)%s%n", r.window(), r.score(),
                                r.threshold(), r.anomalous() ? "ANOMALY" : "ok", r.inferenceMicros(),
                                shares(r.channelError()));
                    }
                }

                @Override
                public void onEvent(AnomalyEvent e) {
                    synchronized (pw) {
                        pw.printf("EVENT %d %s start %d µs peak %.4f%s%n", e.eventId(), e.state(), e.startTimestampMicros(),
                                e.peakScore(), shares(e.peakChannelError()));
                    }
                }
            });
            long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            try (GyroStream s = c.stream()) {
                long nextPrint = System.nanoTime() + interval.toNanos();
                double sq = 0;
                long n = 0;
                while (System.nanoTime() < end) {
                    SampleBlock b = s.poll(Duration.ofMillis(200));
                    if (b != null) {
                        for (int i = 0; i < b.count(); i++) {
                            for (int ch = 0; ch < b.channels(); ch++) {
                                float v = b.value(i, ch);
                                sq += v * v;
                            }
                        }
                        n += (long) b.count() * b.channels();
                    } else if (s.isDone()) {
                        break;
                    }
                    if (System.nanoTime() >= nextPrint) {
                        var st = s.stats();
                        synchronized (pw) {
                            pw.printf("samples %d  rms %.3f dps  gaps %d (%d missing)%n", st.samples(),
                                    Math.sqrt(sq / Math.max(1, n)), st.gaps(), st.missingSamples());
                        }
                        sq = 0;
                        n = 0;
                        nextPrint += interval.toNanos();
                    }
                }
            }
            results.close();
        } catch (Exception e) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e);
        }
        return 0;
    }
}
