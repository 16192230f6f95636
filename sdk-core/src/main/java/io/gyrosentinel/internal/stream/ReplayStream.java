package io.gyrosentinel.internal.stream;

import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.recording.Recording;
import io.gyrosentinel.stream.GyroStream;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/** Replays a recording through the same stream engine as a live device. */
public final class ReplayStream {
    private ReplayStream() {
    }

    public static GyroStream open(Path path, boolean realTime) {
        Recording rec = Recording.read(path);
        SensorConfig cfg = rec.config();
        if (cfg == null) {
            // imported data: describe it as well as the header allows
            cfg = new SensorConfig(rec.info().sampleRateHz(), 0, java.util.Set.of(), 1,
                    rec.blocks().isEmpty() ? 0 : rec.blocks().get(0).count());
        }
        ExecutorService exec = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gs-replay-callback");
            t.setDaemon(true);
            return t;
        });
        boolean[] stop = new boolean[1];
        DefaultGyroStream s = new DefaultGyroStream(cfg, rec.info().channelScale(), exec, 1 << 16, () -> stop[0] = true);
        Thread feeder = new Thread(() -> {
            long t0 = System.nanoTime();
            long firstTs = rec.blocks().isEmpty() ? 0 : rec.blocks().get(0).timestampMicros();
            long seq = 0;
            try {
                for (SampleBlock b : rec.blocks()) {
                    if (stop[0]) {
                        return;
                    }
                    if (realTime) {
                        long due = t0 + (b.timestampMicros() - firstTs) * 1000;
                        long wait;
                        while ((wait = due - System.nanoTime()) > 0 && !stop[0]) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    // Recorded gaps become sequence jumps, so replay reports them like a live link did.
                    seq += b.missingBefore() > 0 ? Math.max(1, b.missingBefore() / Math.max(1, b.count())) : 0;
                    s.onBatch(seq & 0xFFFFFFFFL, b.timestampMicros(), b.periodNanos(), b.count(), b.raw());
                    seq++;
                }
                s.finish(null);
            } catch (RuntimeException e) {
                s.finish(e);
            } finally {
                exec.shutdown();
            }
        }, "gs-replay");
        feeder.setDaemon(true);
        feeder.start();
        return s;
    }
}
