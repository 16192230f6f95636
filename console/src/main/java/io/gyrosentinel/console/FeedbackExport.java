package io.gyrosentinel.console;

import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.console.internal.Clips;
import io.gyrosentinel.console.internal.Store;
import io.gyrosentinel.recording.Recording;
import io.gyrosentinel.recording.RecordingWriter;
import io.gyrosentinel.recording.SessionLabel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns people's judgement of alarms into training and evaluation data: every CONFIRMED or DISMISSED alarm whose
 * episode the console saved becomes a labelled recording. A confirmed one is labelled per sample — normal before the
 * episode's first window, anomalous from it to the end; a dismissed one (a false alarm) is normal throughout. The
 * files are what {@code gyrosentinel evaluate --data} and {@code train} read.
 */
public final class FeedbackExport {
    private FeedbackExport() {
    }

    /**
     * What an export wrote.
     *
     * @param written       the labelled recordings
     * @param confirmed     confirmed alarms exported
     * @param dismissed     dismissed alarms exported
     * @param withoutClip   judged alarms the console kept no episode of (followed without a stream, or the episode
     *                      was no longer in its buffer)
     * @param missingClip   judged alarms whose episode file is gone
     */
    public record Result(List<Path> written, int confirmed, int dismissed, int withoutClip, int missingClip) {
    }

    /**
     * Writes the judged alarms of a console database as labelled recordings.
     *
     * @param jdbcUrl  the console's database
     * @param user     its user, may be null
     * @param password its password, may be null
     * @param out      the directory to write {@code DEVICE-alarm-ID-confirmed.gsr} / {@code -dismissed.gsr} into
     * @return what was written
     */
    public static Result export(String jdbcUrl, String user, String password, Path out) {
        try (Store store = Store.open(jdbcUrl, user, password)) {
            Files.createDirectories(out);
            List<Path> written = new ArrayList<>();
            int confirmed = 0;
            int dismissed = 0;
            int without = 0;
            int missing = 0;
            for (AlarmStatus st : new AlarmStatus[] {AlarmStatus.CONFIRMED, AlarmStatus.DISMISSED}) {
                for (Alarm a : store.alarms(st, null, Integer.MAX_VALUE - 1)) {
                    if (a.clip() == null) {
                        without++;
                        continue;
                    }
                    Path clip = Path.of(a.clip());
                    if (!Files.exists(clip)) {
                        missing++;
                        continue;
                    }
                    written.add(label(Recording.read(clip), a, out));
                    if (st == AlarmStatus.CONFIRMED) {
                        confirmed++;
                    } else {
                        dismissed++;
                    }
                }
            }
            return new Result(List.copyOf(written), confirmed, dismissed, without, missing);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + out + ": " + e.getMessage(), e);
        }
    }

    private static Path label(Recording r, Alarm a, Path out) {
        boolean real = a.status() == AlarmStatus.CONFIRMED;
        Path target = out.resolve(String.format(Locale.ROOT, "%s-alarm-%d-%s.gsr", a.deviceId(), a.id(),
                real ? "confirmed" : "dismissed"));
        Map<String, String> tags = new java.util.HashMap<>(r.info().tags());
        tags.put("feedback", a.status().name().toLowerCase(Locale.ROOT));
        if (a.updatedBy() != null) {
            tags.put("judgedBy", a.updatedBy());
        }
        RecordingWriter w = RecordingWriter.create(target, r.info().withLabel(real ? SessionLabel.ANOMALOUS
                : SessionLabel.NORMAL).withTags(tags), r.config(), r.device());
        try {
            List<SampleBlock> blocks = r.blocks();
            long[] first = Clips.copy(blocks, w);
            long index = blocks.isEmpty() ? 0 : first[blocks.size() - 1] + blocks.get(blocks.size() - 1).count();
            long episodeStart = -1;
            for (int k = 0; k < blocks.size() && episodeStart < 0; k++) {
                SampleBlock b = blocks.get(k);
                if (b.timestampMicros(b.count() - 1) >= a.deviceStartUs()) {
                    int i = 0;
                    while (b.timestampMicros(i) < a.deviceStartUs()) {
                        i++;
                    }
                    episodeStart = first[k] + i;
                }
            }
            if (real && episodeStart >= 0) {
                if (episodeStart > 0) {
                    w.writeLabelRun(0, episodeStart, SessionLabel.NORMAL);
                }
                w.writeLabelRun(episodeStart, index - episodeStart, SessionLabel.ANOMALOUS);
            } else {
                w.writeLabelRun(0, index, real ? SessionLabel.ANOMALOUS : SessionLabel.NORMAL);
            }
            w.close();
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
        return target;
    }
}
