package io.gyrosentinel.console.internal;

import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.collect.Collector;
import io.gyrosentinel.console.Alarm;
import io.gyrosentinel.recording.RecordingWriter;
import io.gyrosentinel.recording.SessionInfo;
import io.gyrosentinel.recording.SessionLabel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One device's last {@link #KEEP_MICROS} of samples (a collector on its stream), from which an alarm's episode is
 * saved as a recording when it ends: from {@link #PRE_ROLL_MICROS} before its first window to its end, at most the
 * whole buffer. The file is unlabelled; feedback labels its copies ({@link io.gyrosentinel.console.FeedbackExport}).
 */
public final class Clips implements Collector {
    /** Samples kept: 60 s of device time (960 Hz x 3 axes x 2 bytes: 350 kB per device). */
    static final long KEEP_MICROS = 60_000_000L;
    /** Normal operation kept before an episode. */
    static final long PRE_ROLL_MICROS = 10_000_000L;

    private final ArrayDeque<SampleBlock> blocks = new ArrayDeque<>();
    private final SensorConfig config;
    private final DeviceInfo device;

    /**
     * @param config the stream's sensor configuration
     * @param device the device
     */
    public Clips(SensorConfig config, DeviceInfo device) {
        this.config = config;
        this.device = device;
    }

    @Override
    public synchronized void onBlock(SampleBlock b) {
        blocks.addLast(b);
        long newest = b.timestampMicros();
        while (!blocks.isEmpty() && blocks.peekFirst().timestampMicros() < newest - KEEP_MICROS) {
            blocks.removeFirst();
        }
    }

    /**
     * {@return the kept blocks whose last sample is at or after a device time}
     *
     * @param micros device time, µs
     */
    synchronized List<SampleBlock> since(long micros) {
        List<SampleBlock> out = new ArrayList<>();
        for (SampleBlock b : blocks) {
            if (b.timestampMicros(b.count() - 1) >= micros) {
                out.add(b);
            }
        }
        return out;
    }

    /**
     * Saves an ended alarm's episode.
     *
     * @param a   the alarm, ended
     * @param dir where recordings go ({@code DEVICE/alarm-ID.gsr} under it)
     * @return the file, or null when the buffer holds nothing of the episode
     */
    public Path save(Alarm a, Path dir) {
        List<SampleBlock> clip = since(a.deviceStartUs() - PRE_ROLL_MICROS);
        if (clip.isEmpty()) {
            return null;
        }
        Path target = dir.resolve(a.deviceId()).resolve("alarm-" + a.id() + ".gsr");
        try {
            Files.createDirectories(target.getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + target.getParent() + ": " + e.getMessage(), e);
        }
        SessionInfo info = RecordingWriter.deviceSession(SessionLabel.UNLABELLED, a.deviceId(), config,
                "console:alarm/" + a.id()).withTags(Map.of("alarm", Long.toString(a.id()), "model", a.modelId(),
                "episodeStartUs", Long.toString(a.deviceStartUs()),
                "episodeEndUs", Long.toString(a.deviceEndUs() == null ? -1 : a.deviceEndUs())));
        RecordingWriter w = RecordingWriter.create(target, info, config, device);
        try {
            copy(clip, w);
            w.close();
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
        return target;
    }

    /**
     * Appends blocks to a writer, the first one's history of gaps left out (a saved episode, and its labelled copy).
     *
     * @param clip the blocks
     * @param w    the writer
     * @return the index of each block's first sample in the written recording
     */
    public static long[] copy(List<SampleBlock> clip, RecordingWriter w) {
        long[] first = new long[clip.size()];
        long index = 0;
        for (int i = 0; i < clip.size(); i++) {
            SampleBlock b = clip.get(i);
            if (i > 0 && b.missingBefore() > 0) {
                w.writeGap(index, b.missingBefore(), 0, "sequence");
                index += b.missingBefore();
            }
            first[i] = index;
            w.append(b.raw(), b.count(), b.sequence(), b.timestampMicros(), b.periodNanos());
            index += b.count();
        }
        return first;
    }
}
